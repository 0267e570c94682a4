//! A layered (Sugiyama-style) layout of a directed graph whose edges carry labels: cycles broken
//! by reversing back edges in the given order, ranks by longest path, every edge given a label
//! vertex on the rank just below its source and dummy vertices on the ranks it crosses, crossings
//! reduced by barycentre sweeps, x coordinates by isotonic regression with separation constraints.
//!
//! Boxes and labels are real vertices of the layered graph, so none can overlap another, and an
//! edge runs vertically inside its own vertices' slots and diagonally only in the empty gaps
//! between ranks: no edge passes through a box. Everything is deterministic: the same graph gives
//! the same layout, so the PDF and the app draw the same picture.
//!
//! Units are whatever the caller measures sizes in (points for Taiwa); y grows downwards.

/// A width and a height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    pub w: f32,
    pub h: f32,
}

/// An edge to lay out: `from` → `to` (node indices), with a label box the edge's line runs
/// through vertically at `line_x` from the label's left side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EdgeSpec {
    pub from: usize,
    pub to: usize,
    pub label: Size,
    pub line_x: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spacing {
    /// Between two boxes side by side.
    pub node_gap: f32,
    /// Between an edge's label or line and its neighbours on a rank.
    pub edge_gap: f32,
    /// Between two ranks.
    pub rank_gap: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn right(&self) -> f32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
    /// Whether the interiors overlap (touching edges do not count).
    pub fn overlaps(&self, o: &Rect) -> bool {
        const E: f32 = 0.01;
        self.x + E < o.right()
            && o.x + E < self.right()
            && self.y + E < o.bottom()
            && o.y + E < self.bottom()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EdgeLayout {
    /// The polyline from the edge's `from` node to its `to` node (the arrowhead goes at the end).
    pub points: Vec<(f32, f32)>,
    pub label: Rect,
    /// Whether the edge was drawn against the layout's downward direction (a back edge).
    pub reversed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f32,
    pub height: f32,
    pub nodes: Vec<Rect>,
    pub edges: Vec<EdgeLayout>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Vertex {
    Node(usize),
    Label(usize),
    Dummy(usize),
}

struct Layered {
    layers: Vec<Vec<Vertex>>,
    /// Per edge: the chain of (layer, vertex) from the upper end to the lower end.
    chains: Vec<Vec<(usize, Vertex)>>,
    reversed: Vec<bool>,
}

/// Which way the ranks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Ranks are rows; edges run downwards and pass through their labels vertically at `line_x`.
    TopDown,
    /// Ranks are columns; edges run rightwards and pass through their labels horizontally at
    /// `line_x` from the label's top.
    LeftRight,
}

fn swap(s: Size) -> Size {
    Size { w: s.h, h: s.w }
}

fn transpose_rect(r: Rect) -> Rect {
    Rect {
        x: r.y,
        y: r.x,
        w: r.h,
        h: r.w,
    }
}

/// Lays out `nodes` (sizes, in the order they should be preferred first) and `edges` (in the order
/// that decides which edge of a cycle is the back edge: earlier edges point forwards).
pub fn layout(nodes: &[Size], edges: &[EdgeSpec], sp: &Spacing, dir: Direction) -> Layout {
    if dir == Direction::TopDown {
        return layout_down(nodes, edges, sp);
    }
    // Left to right is top-down with x and y exchanged.
    let nodes: Vec<Size> = nodes.iter().map(|s| swap(*s)).collect();
    let edges: Vec<EdgeSpec> = edges
        .iter()
        .map(|e| EdgeSpec {
            label: swap(e.label),
            ..*e
        })
        .collect();
    let l = layout_down(&nodes, &edges, sp);
    Layout {
        width: l.height,
        height: l.width,
        nodes: l.nodes.into_iter().map(transpose_rect).collect(),
        edges: l
            .edges
            .into_iter()
            .map(|e| EdgeLayout {
                points: e.points.into_iter().map(|(x, y)| (y, x)).collect(),
                label: transpose_rect(e.label),
                reversed: e.reversed,
            })
            .collect(),
    }
}

fn layout_down(nodes: &[Size], edges: &[EdgeSpec], sp: &Spacing) -> Layout {
    let edges: Vec<EdgeSpec> = edges
        .iter()
        .copied()
        .filter(|e| e.from != e.to && e.from < nodes.len() && e.to < nodes.len())
        .collect();
    let reversed = back_edges(nodes.len(), &edges);
    let dag: Vec<(usize, usize)> = edges
        .iter()
        .zip(&reversed)
        .map(|(e, r)| if *r { (e.to, e.from) } else { (e.from, e.to) })
        .collect();
    let rank = ranks(nodes.len(), &dag);
    let layered = build_layers(&rank, &dag, reversed);
    let mut order = layered.layers.clone();
    reduce_crossings(&mut order, &layered.chains);
    let width_of = |v: Vertex| match v {
        Vertex::Node(i) => nodes[i].w,
        Vertex::Label(e) => edges[e].label.w,
        Vertex::Dummy(_) => 0.0,
    };
    let height_of = |v: Vertex| match v {
        Vertex::Node(i) => nodes[i].h,
        Vertex::Label(e) => edges[e].label.h,
        Vertex::Dummy(_) => 0.0,
    };
    let centres = x_coordinates(&order, &layered.chains, &width_of, sp);
    geometry(
        &order, &layered, &centres, &width_of, &height_of, &edges, nodes, sp,
    )
}

/// Depth-first search from each node in order, following edges in order: an edge to a node still
/// on the stack closes a cycle and is reversed.
fn back_edges(n: usize, edges: &[EdgeSpec]) -> Vec<bool> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on the stack, 2 done
    let mut reversed = vec![false; edges.len()];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next out-edge index).
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*next) {
                *next += 1;
                let w = edges[e].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Longest-path ranks of a DAG; a node with no incoming edge is then pulled down to just above its
/// highest successor, so a side entry does not sit at the top far from where it joins.
fn ranks(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(u, v) in dag {
        indeg[v] += 1;
        succ[u].push(v);
    }
    let sources: Vec<bool> = indeg.iter().map(|d| *d == 0).collect();
    let mut rank = vec![0usize; n];
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    let mut topo = Vec::with_capacity(n);
    while let Some(u) = queue.pop_front() {
        topo.push(u);
        for &v in &succ[u] {
            rank[v] = rank[v].max(rank[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    for &u in topo.iter().rev() {
        if sources[u]
            && u != 0
            && let Some(min) = succ[u].iter().map(|&v| rank[v]).min()
        {
            rank[u] = min.saturating_sub(1).max(rank[u]);
        }
    }
    rank
}

fn build_layers(rank: &[usize], dag: &[(usize, usize)], reversed: Vec<bool>) -> Layered {
    let top = rank.iter().copied().max().unwrap_or(0);
    let mut layers: Vec<Vec<Vertex>> = vec![Vec::new(); 2 * top + 1];
    for (i, r) in rank.iter().enumerate() {
        layers[2 * r].push(Vertex::Node(i));
    }
    let mut chains = Vec::with_capacity(dag.len());
    for (e, &(u, v)) in dag.iter().enumerate() {
        let (ru, rv) = (2 * rank[u], 2 * rank[v]);
        let mut chain = vec![(ru, Vertex::Node(u))];
        for (layer, vertices) in layers.iter_mut().enumerate().take(rv).skip(ru + 1) {
            let vertex = if layer == ru + 1 {
                Vertex::Label(e)
            } else {
                Vertex::Dummy(e)
            };
            vertices.push(vertex);
            chain.push((layer, vertex));
        }
        chain.push((rv, Vertex::Node(v)));
        chains.push(chain);
    }
    Layered {
        layers,
        chains,
        reversed,
    }
}

/// Segments between adjacent layers, as (upper layer, upper vertex, lower vertex).
fn segments(chains: &[Vec<(usize, Vertex)>]) -> Vec<(usize, Vertex, Vertex)> {
    chains
        .iter()
        .flat_map(|c| c.windows(2).map(|w| (w[0].0, w[0].1, w[1].1)))
        .collect()
}

fn position(order: &[Vec<Vertex>]) -> std::collections::HashMap<(usize, VertexKey), usize> {
    let mut pos = std::collections::HashMap::new();
    for (l, layer) in order.iter().enumerate() {
        for (i, v) in layer.iter().enumerate() {
            pos.insert((l, key(*v)), i);
        }
    }
    pos
}

type VertexKey = (u8, usize);

fn key(v: Vertex) -> VertexKey {
    match v {
        Vertex::Node(i) => (0, i),
        Vertex::Label(e) => (1, e),
        Vertex::Dummy(e) => (2, e),
    }
}

fn crossings(order: &[Vec<Vertex>], segs: &[(usize, Vertex, Vertex)]) -> usize {
    let pos = position(order);
    let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); order.len()];
    for &(l, a, b) in segs {
        by_layer[l].push((pos[&(l, key(a))], pos[&(l + 1, key(b))]));
    }
    by_layer
        .iter()
        .map(|s| {
            let mut n = 0;
            for i in 0..s.len() {
                for j in i + 1..s.len() {
                    let (a, b) = (s[i], s[j]);
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        n += 1;
                    }
                }
            }
            n
        })
        .sum()
}

/// Barycentre sweeps down and up; the order with the fewest crossings seen is kept.
fn reduce_crossings(order: &mut [Vec<Vertex>], chains: &[Vec<(usize, Vertex)>]) {
    let segs = segments(chains);
    let mut best = order.to_vec();
    let mut best_count = crossings(order, &segs);
    for iteration in 0..24 {
        if best_count == 0 {
            break;
        }
        let down = iteration % 2 == 0;
        let layers: Vec<usize> = if down {
            (1..order.len()).collect()
        } else {
            (0..order.len().saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let pos = position(order);
            let mut bary: Vec<(f32, usize, Vertex)> = order[l]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let neighbours: Vec<usize> = segs
                        .iter()
                        .filter_map(|&(sl, a, b)| {
                            if down && sl + 1 == l && key(b) == key(v) {
                                Some(pos[&(sl, key(a))])
                            } else if !down && sl == l && key(a) == key(v) {
                                Some(pos[&(l + 1, key(b))])
                            } else {
                                None
                            }
                        })
                        .collect();
                    let b = if neighbours.is_empty() {
                        i as f32
                    } else {
                        neighbours.iter().sum::<usize>() as f32 / neighbours.len() as f32
                    };
                    (b, i, v)
                })
                .collect();
            bary.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[l] = bary.into_iter().map(|(_, _, v)| v).collect();
        }
        let count = crossings(order, &segs);
        if count < best_count {
            best_count = count;
            best = order.to_vec();
        }
    }
    order.clone_from_slice(&best);
}

/// Pool-adjacent-violators: the non-decreasing sequence closest (weighted least squares) to `d`.
fn isotonic(d: &[f32]) -> Vec<f32> {
    let mut blocks: Vec<(f32, f32, usize)> = Vec::new(); // (mean, weight, count)
    for &x in d {
        blocks.push((x, 1.0, 1));
        while blocks.len() > 1 {
            let (m2, w2, c2) = blocks[blocks.len() - 1];
            let (m1, w1, c1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.truncate(blocks.len() - 2);
            blocks.push(((m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2));
        }
    }
    blocks
        .into_iter()
        .flat_map(|(m, _, c)| std::iter::repeat_n(m, c))
        .collect()
}

/// Centres per layer: each layer in turn is placed as close as its order and spacing allow to the
/// mean of its neighbours in the layer above (down sweeps) or below (up sweeps).
fn x_coordinates(
    order: &[Vec<Vertex>],
    chains: &[Vec<(usize, Vertex)>],
    width_of: &dyn Fn(Vertex) -> f32,
    sp: &Spacing,
) -> Vec<Vec<f32>> {
    let segs = segments(chains);
    let gap = |a: Vertex, b: Vertex| match (a, b) {
        (Vertex::Node(_), Vertex::Node(_)) => sp.node_gap,
        _ => sp.edge_gap,
    };
    // Offsets that turn "centre[i+1] - centre[i] >= sep" into "y[i+1] >= y[i]".
    let offsets: Vec<Vec<f32>> = order
        .iter()
        .map(|layer| {
            let mut acc = 0.0;
            let mut out = Vec::with_capacity(layer.len());
            for (i, &v) in layer.iter().enumerate() {
                if i > 0 {
                    let u = layer[i - 1];
                    acc += (width_of(u) + width_of(v)) / 2.0 + gap(u, v);
                }
                out.push(acc);
            }
            out
        })
        .collect();
    let mut centres: Vec<Vec<f32>> = offsets.clone();
    let place = |centres: &mut Vec<Vec<f32>>, l: usize, desired: Vec<f32>| {
        let d: Vec<f32> = desired
            .iter()
            .zip(&offsets[l])
            .map(|(d, o)| d - o)
            .collect();
        centres[l] = isotonic(&d)
            .into_iter()
            .zip(&offsets[l])
            .map(|(y, o)| y + o)
            .collect();
    };
    let neighbours_mean = |centres: &Vec<Vec<f32>>, l: usize, i: usize, up: bool, down: bool| {
        let v = order[l][i];
        let pos = |layer: usize, w: Vertex| order[layer].iter().position(|x| key(*x) == key(w));
        let mut sum = 0.0;
        let mut n = 0.0;
        for &(sl, a, b) in &segs {
            if up
                && sl + 1 == l
                && key(b) == key(v)
                && let Some(p) = pos(sl, a)
            {
                sum += centres[sl][p];
                n += 1.0;
            }
            if down
                && sl == l
                && key(a) == key(v)
                && let Some(p) = pos(l + 1, b)
            {
                sum += centres[l + 1][p];
                n += 1.0;
            }
        }
        if n > 0.0 { sum / n } else { centres[l][i] }
    };
    for round in 0..6 {
        let final_round = round == 5;
        for (l, layer) in order.iter().enumerate().skip(1) {
            let desired = (0..layer.len())
                .map(|i| neighbours_mean(&centres, l, i, true, final_round))
                .collect();
            place(&mut centres, l, desired);
        }
        for l in (0..order.len().saturating_sub(1)).rev() {
            let desired = (0..order[l].len())
                .map(|i| neighbours_mean(&centres, l, i, final_round, true))
                .collect();
            place(&mut centres, l, desired);
        }
    }
    centres
}

#[allow(clippy::too_many_arguments)]
fn geometry(
    order: &[Vec<Vertex>],
    layered: &Layered,
    centres: &[Vec<f32>],
    width_of: &dyn Fn(Vertex) -> f32,
    height_of: &dyn Fn(Vertex) -> f32,
    edges: &[EdgeSpec],
    nodes: &[Size],
    sp: &Spacing,
) -> Layout {
    let left = order
        .iter()
        .zip(centres)
        .flat_map(|(layer, cs)| layer.iter().zip(cs).map(|(v, c)| c - width_of(*v) / 2.0))
        .fold(f32::INFINITY, f32::min);
    let left = if left.is_finite() { left } else { 0.0 };
    // Band top and height per layer; empty layers take no room.
    let mut tops = Vec::with_capacity(order.len());
    let mut heights = Vec::with_capacity(order.len());
    let mut y = 0.0;
    for layer in order {
        let h = layer.iter().map(|v| height_of(*v)).fold(0.0, f32::max);
        tops.push(y);
        heights.push(h);
        if !layer.is_empty() {
            y += h + sp.rank_gap;
        }
    }
    let height = (y - sp.rank_gap).max(0.0);
    let mut rect_of = std::collections::HashMap::new();
    let mut width: f32 = 0.0;
    for (l, layer) in order.iter().enumerate() {
        for (i, v) in layer.iter().enumerate() {
            let w = width_of(*v);
            let r = Rect {
                x: centres[l][i] - w / 2.0 - left,
                y: tops[l],
                w,
                h: height_of(*v),
            };
            width = width.max(r.right());
            // A long edge has a dummy on each layer it crosses: the layer is part of the key.
            rect_of.insert((l, key(*v)), r);
        }
    }
    let node_layer: std::collections::HashMap<usize, usize> = order
        .iter()
        .enumerate()
        .flat_map(|(l, layer)| {
            layer.iter().filter_map(move |v| match v {
                Vertex::Node(i) => Some((*i, l)),
                _ => None,
            })
        })
        .collect();
    let node_rects: Vec<Rect> = (0..nodes.len())
        .map(|i| rect_of[&(node_layer[&i], key(Vertex::Node(i)))])
        .collect();

    // Ports: the edges leaving a box's bottom (entering its top) spread along it in the order of
    // where their other ends are, so they leave without crossing each other at the box.
    let x_of = |l: usize, v: Vertex, e: usize| -> f32 {
        let r = rect_of[&(l, key(v))];
        match v {
            Vertex::Label(_) => r.x + edges[e].line_x,
            _ => r.x + r.w / 2.0,
        }
    };
    let mut out_ports: Vec<Vec<(f32, usize)>> = vec![Vec::new(); nodes.len()];
    let mut in_ports: Vec<Vec<(f32, usize)>> = vec![Vec::new(); nodes.len()];
    for (e, chain) in layered.chains.iter().enumerate() {
        let (_, first) = chain[0];
        let (l2, second) = chain[1];
        let (_, last) = chain[chain.len() - 1];
        let (lb, before) = chain[chain.len() - 2];
        if let Vertex::Node(u) = first {
            out_ports[u].push((x_of(l2, second, e), e));
        }
        if let Vertex::Node(v) = last {
            in_ports[v].push((x_of(lb, before, e), e));
        }
    }
    let spread = |ports: &mut Vec<(f32, usize)>, r: &Rect| -> Vec<(usize, f32)> {
        ports.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let n = ports.len() as f32;
        let inner = r.w * 0.8;
        ports
            .iter()
            .enumerate()
            .map(|(k, &(_, e))| (e, r.x + r.w * 0.1 + inner * (k as f32 + 1.0) / (n + 1.0)))
            .collect()
    };
    let mut out_x = vec![0.0; edges.len()];
    let mut in_x = vec![0.0; edges.len()];
    for i in 0..nodes.len() {
        for (e, x) in spread(&mut out_ports[i], &node_rects[i]) {
            out_x[e] = x;
        }
        for (e, x) in spread(&mut in_ports[i], &node_rects[i]) {
            in_x[e] = x;
        }
    }

    let mut edge_layouts = Vec::with_capacity(edges.len());
    for (e, chain) in layered.chains.iter().enumerate() {
        let mut pts: Vec<(f32, f32)> = Vec::new();
        let (l0, first) = chain[0];
        let r0 = rect_of[&(l0, key(first))];
        pts.push((out_x[e], r0.bottom()));
        pts.push((out_x[e], tops[l0] + heights[l0]));
        let mut label = r0;
        for &(l, v) in &chain[1..chain.len() - 1] {
            let x = x_of(l, v, e);
            pts.push((x, tops[l]));
            pts.push((x, tops[l] + heights[l]));
            if let Vertex::Label(_) = v {
                label = rect_of[&(l, key(v))];
            }
        }
        let (l_last, _) = chain[chain.len() - 1];
        pts.push((in_x[e], tops[l_last]));
        pts.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4);
        if layered.reversed[e] {
            pts.reverse();
        }
        edge_layouts.push(EdgeLayout {
            points: pts,
            label,
            reversed: layered.reversed[e],
        });
    }
    Layout {
        width,
        height,
        nodes: node_rects,
        edges: edge_layouts,
    }
}

/// Whether the open segment p–q passes through the interior of `r`.
pub fn segment_hits(p: (f32, f32), q: (f32, f32), r: &Rect) -> bool {
    const E: f32 = 0.05;
    let (x0, y0, x1, y1) = (r.x + E, r.y + E, r.right() - E, r.bottom() - E);
    if x0 >= x1 || y0 >= y1 {
        return false;
    }
    // Liang–Barsky clipping of the segment against the shrunken rectangle.
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0 = 0.0f32;
    let mut t1 = 1.0f32;
    for (pk, qk) in [
        (-dx, p.0 - x0),
        (dx, x1 - p.0),
        (-dy, p.1 - y0),
        (dy, y1 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return false;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 < t1
}

impl Layout {
    /// Every way this layout breaks its promises, in words: overlapping boxes or labels, an edge
    /// through a box or another edge's label, an edge that does not start and end at its boxes,
    /// anything outside `width` × `height`. Empty when the layout is sound.
    pub fn problems(&self, edges: &[EdgeSpec]) -> Vec<String> {
        let mut out = Vec::new();
        let mut rects: Vec<(String, Rect)> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("node {i}"), *r))
            .collect();
        rects.extend(
            self.edges
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("label of edge {i}"), e.label)),
        );
        for (i, (a, ra)) in rects.iter().enumerate() {
            if ra.x < -0.01
                || ra.y < -0.01
                || ra.right() > self.width + 0.01
                || ra.bottom() > self.height + 0.01
            {
                out.push(format!("{a} lies outside the layout"));
            }
            for (b, rb) in &rects[i + 1..] {
                if ra.overlaps(rb) {
                    out.push(format!("{a} overlaps {b}"));
                }
            }
        }
        for (i, (e, spec)) in self.edges.iter().zip(edges).enumerate() {
            let (Some(first), Some(last)) = (e.points.first(), e.points.last()) else {
                out.push(format!("edge {i} has no points"));
                continue;
            };
            let on_border = |p: (f32, f32), r: &Rect| {
                let within_x = p.0 >= r.x - 0.01 && p.0 <= r.right() + 0.01;
                let within_y = p.1 >= r.y - 0.01 && p.1 <= r.bottom() + 0.01;
                (within_x && ((p.1 - r.y).abs() < 0.01 || (p.1 - r.bottom()).abs() < 0.01))
                    || (within_y && ((p.0 - r.x).abs() < 0.01 || (p.0 - r.right()).abs() < 0.01))
            };
            if !on_border(*first, &self.nodes[spec.from]) {
                out.push(format!("edge {i} does not start at node {}", spec.from));
            }
            if !on_border(*last, &self.nodes[spec.to]) {
                out.push(format!("edge {i} does not end at node {}", spec.to));
            }
            for w in e.points.windows(2) {
                for (name, r) in &rects {
                    if *r == e.label && name.starts_with("label") {
                        continue;
                    }
                    if segment_hits(w[0], w[1], r) {
                        out.push(format!("edge {i} passes through {name}"));
                    }
                }
                for p in w {
                    if p.0 < -0.01
                        || p.1 < -0.01
                        || p.0 > self.width + 0.01
                        || p.1 > self.height + 0.01
                    {
                        out.push(format!("edge {i} leaves the layout"));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SP: Spacing = Spacing {
        node_gap: 16.0,
        edge_gap: 6.0,
        rank_gap: 12.0,
    };

    fn edge(from: usize, to: usize) -> EdgeSpec {
        EdgeSpec {
            from,
            to,
            label: Size { w: 40.0, h: 14.0 },
            line_x: 7.0,
        }
    }

    #[test]
    fn a_chain_goes_straight_down() {
        let nodes = vec![Size { w: 100.0, h: 30.0 }; 3];
        let edges = [edge(0, 1), edge(1, 2)];
        let l = layout(&nodes, &edges, &SP, Direction::TopDown);
        assert!(l.problems(&edges).is_empty(), "{:?}", l.problems(&edges));
        assert!(l.nodes[0].y < l.nodes[1].y && l.nodes[1].y < l.nodes[2].y);
    }

    #[test]
    fn a_back_and_forth_pair_is_two_arrows_one_reversed() {
        let nodes = vec![Size { w: 100.0, h: 30.0 }; 2];
        let edges = [edge(0, 1), edge(1, 0)];
        let l = layout(&nodes, &edges, &SP, Direction::TopDown);
        assert!(l.problems(&edges).is_empty(), "{:?}", l.problems(&edges));
        assert!(!l.edges[0].reversed && l.edges[1].reversed);
        // The reversed arrow ends at node 0 (the upper one).
        let end = *l.edges[1].points.last().unwrap();
        assert!((end.1 - l.nodes[0].bottom()).abs() < 0.01);
        assert!(!l.edges[0].label.overlaps(&l.edges[1].label));
    }

    #[test]
    fn left_to_right_is_the_transpose() {
        let nodes = vec![Size { w: 100.0, h: 30.0 }; 3];
        let edges = [edge(0, 1), edge(0, 2), edge(2, 1)];
        let l = layout(&nodes, &edges, &SP, Direction::LeftRight);
        assert!(l.problems(&edges).is_empty(), "{:?}", l.problems(&edges));
        assert!(l.nodes[0].right() < l.nodes[2].x && l.nodes[2].right() < l.nodes[1].x);
        assert_eq!(l.nodes[0].w, 100.0);
    }

    #[test]
    fn isotonic_regression_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0, 4.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
    }

    #[test]
    fn segments_through_and_beside_a_box() {
        let r = Rect {
            x: 10.0,
            y: 10.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(segment_hits((0.0, 15.0), (30.0, 15.0), &r));
        assert!(!segment_hits((0.0, 25.0), (30.0, 25.0), &r));
        assert!(
            !segment_hits((15.0, 20.0), (15.0, 30.0), &r),
            "touching the border is not through"
        );
        assert!(segment_hits((0.0, 0.0), (30.0, 30.0), &r));
    }
}
