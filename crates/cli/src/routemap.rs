//! `taiwa routes` and `taiwa route-map …`: the standard routes, a new map from one, its diagram as SVG.

use crate::commands::{CliError, Ctx, export_through_gate, gate_error};
use crate::{RouteMapAction, out};
use std::process::ExitCode;
use taiwa::Lang;
use taiwa::gate::{self, Format, OwnUse, Sink, Source};
use taiwa::routemap;
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
            // Made from a route alone (no person in it), but written like every other file.
            let request = gate::Request {
                source: Source::File(record),
                format: Format::Json,
                own_use: OwnUse::Shown,
                ..gate::Request::pdf("", ctx.lang)
            };
            match output {
                Some(path) => {
                    gate::release(None, &request, Sink::File(&path)).map_err(gate_error)?;
                    out!("{}", path.display());
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    gate::release(None, &request, Sink::Stream(&mut stdout)).map_err(gate_error)?;
                }
            }
        }
        RouteMapAction::Svg { source, output } => {
            let request = gate::Request {
                source: Source::Stored(source),
                format: Format::Svg,
                ..gate::Request::pdf("", ctx.lang)
            };
            export_through_gate(ctx, registry, request, &output)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
