//! `taiwa routes` and `taiwa route-map …`: the standard routes, a new map from one, its diagram as SVG.

use crate::commands::{CliError, Ctx, load_source, write_private};
use crate::{RouteMapAction, out};
use std::process::ExitCode;
use taiwa::Lang;
use taiwa::pdf::fonts::FontSet;
use taiwa::routemap::{self, RouteMap};
use taiwa::template::Registry;

pub fn routes(ctx: &Ctx, registry: &Registry) -> Result<ExitCode, CliError> {
    for r in &registry.routes.routes {
        let mut agencies: Vec<&str> = Vec::new();
        for s in &r.steps {
            for end in [s.from.as_str(), s.to.as_str()] {
                if !agencies.contains(&end) {
                    agencies.push(end);
                }
            }
        }
        let counts = match ctx.lang {
            Lang::Ja => format!("{} ステップ・{} 機関", r.steps.len(), agencies.len()),
            Lang::En => format!("{} steps, {} agencies", r.steps.len(), agencies.len()),
        };
        out!("{}\t{}\t{}", r.code, r.title.get(ctx.lang), counts);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn route_map(
    ctx: &Ctx,
    registry: &Registry,
    action: RouteMapAction,
) -> Result<ExitCode, CliError> {
    match action {
        RouteMapAction::New {
            route,
            region,
            output,
        } => {
            let record = routemap::from_route(registry, &route, region.as_deref(), ctx.lang)
                .map_err(CliError::RouteMap)?;
            let json = record.to_pretty_json();
            match output {
                Some(path) => {
                    write_private(&path, format!("{json}\n").as_bytes())?;
                    out!("{}", path.display());
                }
                None => out!("{json}"),
            }
        }
        RouteMapAction::Svg { source, output } => {
            let (record, _) = load_source(ctx, registry, &source)?;
            if record.template != routemap::TEMPLATE_ID {
                return Err(CliError::NotARouteMap {
                    template: record.template,
                });
            }
            let fonts = FontSet::get().map_err(|source| CliError::Pdf { path: None, source })?;
            let map = RouteMap::from_record(&record, &registry.agencies);
            // The whole map on one canvas, as the app shows it (paper splits it into pages).
            let canvas = taiwa::pdf::diagram::canvas(&map, fonts);
            let title = match ctx.lang {
                Lang::Ja => "経路図",
                Lang::En => "Route diagram",
            };
            let svg = canvas
                .as_ref()
                .map(|p| routemap::svg::render(p, title))
                .unwrap_or_else(|| {
                    r#"<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0"/>"#.to_string()
                });
            write_private(&output, svg.as_bytes())?;
            out!("{}", output.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
