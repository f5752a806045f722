//! A graph as text: JSON (for scripts and the editor's graph view), DOT
//! (Graphviz) and GraphML (Gephi, yEd). Pure: each returns a `String`; the
//! order is the graph's, so the same vault always gives the same bytes.

use std::fmt::Write;

use rayon::prelude::*;
use serde::Serialize;

use super::{Graph, NodeKind};

#[derive(Serialize)]
struct JsonNode<'a> {
    path: &'a str,
    kind: &'static str,
    title: &'a str,
    folder: &'a str,
    tags: Vec<&'static str>,
    backlinks: u32,
    outgoing: u32,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    source: &'a str,
    target: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subpath: Option<&'a str>,
    count: u32,
}

/// The JSON shape, borrowed from the graph: `{"nodes": [...], "edges": [...]}`.
/// Edges name their ends by node path. docs/graph.md documents each field.
#[derive(Serialize)]
pub struct Json<'a> {
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
}

impl<'a> Json<'a> {
    fn new_nodes(graph: &'a Graph) -> Vec<JsonNode<'a>> {
        graph
            .nodes
            .iter()
            .map(|n| JsonNode {
                path: &n.id,
                kind: n.kind.as_str(),
                title: &n.title,
                folder: n.folder(),
                tags: n.tags.iter().map(|t| t.as_str()).collect(),
                backlinks: n.backlinks,
                outgoing: n.outgoing,
            })
            .collect()
    }

    pub fn new(graph: &'a Graph) -> Json<'a> {
        let nodes = Json::new_nodes(graph);
        let edges = graph
            .edges
            .iter()
            .map(|e| JsonEdge {
                source: &graph.nodes[e.source as usize].id,
                target: &graph.nodes[e.target as usize].id,
                kind: e.kind.as_str(),
                subpath: e.subpath.as_deref(),
                count: e.count,
            })
            .collect();
        Json { nodes, edges }
    }
}

/// The JSON shape for drawing: nodes as in [`Json`], edges as
/// `[source, target, links]` node indexes, one per linked pair (kinds and
/// subpaths merged), a fraction of the size for a whole vault.
#[derive(Serialize)]
pub struct Pairs<'a> {
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<[u32; 3]>,
}

impl<'a> Pairs<'a> {
    pub fn new(graph: &'a Graph) -> Pairs<'a> {
        let mut edges: Vec<[u32; 3]> = Vec::new();
        // Edges are sorted by (source, target): a pair's edges are a run.
        for e in &graph.edges {
            match edges.last_mut() {
                Some(last) if last[0] == e.source && last[1] == e.target => last[2] += e.count,
                _ => edges.push([e.source, e.target, e.count]),
            }
        }
        Pairs {
            nodes: Json::new_nodes(graph),
            edges,
        }
    }
}

/// [`Json`] as text, written in pieces on all cores (a whole vault's JSON
/// runs to tens of megabytes). Nodes go through serde; each node's path is
/// escaped once, and an edge is written from its ends' escaped paths
/// (a whole vault names each path in ~30 edges), the fields in [`JsonEdge`]'s
/// order, so the text is exactly what serializing [`Json`] gives.
pub fn json(graph: &Graph) -> String {
    const CHUNK: usize = 2048;
    let nodes = Json::new_nodes(graph);
    let (nodes, paths) = rayon::join(
        || {
            nodes
                .par_chunks(CHUNK)
                .map(|chunk| {
                    let mut out = Vec::with_capacity(chunk.len() * 160);
                    for (i, node) in chunk.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        serde_json::to_writer(&mut out, node).expect("a node serializes");
                    }
                    out
                })
                .collect::<Vec<Vec<u8>>>()
        },
        || {
            graph
                .nodes
                .par_iter()
                .map(|n| serde_json::to_vec(&*n.id).expect("a path serializes"))
                .collect::<Vec<Vec<u8>>>()
        },
    );
    let edges: Vec<Vec<u8>> = graph
        .edges
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Vec::with_capacity(chunk.len() * 128);
            for (i, e) in chunk.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"source\":");
                out.extend_from_slice(&paths[e.source as usize]);
                out.extend_from_slice(b",\"target\":");
                out.extend_from_slice(&paths[e.target as usize]);
                out.extend_from_slice(b",\"kind\":\"");
                out.extend_from_slice(e.kind.as_str().as_bytes());
                out.push(b'"');
                if let Some(subpath) = &e.subpath {
                    out.extend_from_slice(b",\"subpath\":");
                    serde_json::to_writer(&mut out, &**subpath).expect("a subpath serializes");
                }
                let _ = write!(Bytes(&mut out), ",\"count\":{}}}", e.count);
            }
            out
        })
        .collect();
    let size = |pieces: &[Vec<u8>]| pieces.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(size(&nodes) + size(&edges) + 24);
    let list = |out: &mut Vec<u8>, pieces: &[Vec<u8>]| {
        for (i, piece) in pieces.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(piece);
        }
    };
    out.extend_from_slice(b"{\"nodes\":[");
    list(&mut out, &nodes);
    out.extend_from_slice(b"],\"edges\":[");
    list(&mut out, &edges);
    out.extend_from_slice(b"]}");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// `fmt::Write` into bytes, for numbers.
struct Bytes<'a>(&'a mut Vec<u8>);

impl Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A quoted DOT string: `"` and `\` escaped, line breaks as spaces.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Graphviz DOT: nodes keyed by path, labelled by title; missing notes
/// dashed, embeds dashed, front-matter links dotted. Every field of the
/// JSON is there too, as an attribute.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str("digraph carnet {\n  node [shape=box, style=rounded];\n");
    for n in &graph.nodes {
        let tags: Vec<&str> = n.tags.iter().map(|t| t.as_str()).collect();
        let style = match n.kind {
            NodeKind::Note => "rounded",
            NodeKind::Unresolved => "dashed",
        };
        let _ = writeln!(
            out,
            "  {} [label={}, kind={}, folder={}, tags={}, backlinks={}, outgoing={}, style={style}];",
            dot_str(&n.id),
            dot_str(&n.title),
            n.kind.as_str(),
            dot_str(n.folder()),
            dot_str(&tags.join(" ")),
            n.backlinks,
            n.outgoing,
        );
    }
    for e in &graph.edges {
        let style = match e.kind {
            super::EdgeKind::Embed => ", style=dashed",
            super::EdgeKind::FrontMatter => ", style=dotted",
            _ => "",
        };
        let subpath = e
            .subpath
            .as_deref()
            .map(|s| format!(", subpath={}", dot_str(s)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} -> {} [kind={}{subpath}, count={}{style}];",
            dot_str(&graph.nodes[e.source as usize].id),
            dot_str(&graph.nodes[e.target as usize].id),
            e.kind.as_str(),
            e.count,
        );
    }
    out.push_str("}\n");
    out
}

/// Text for XML: markup characters escaped, characters XML 1.0 forbids dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// GraphML: node ids are paths; `label` is the title (what Gephi and yEd
/// show); the other JSON fields are typed attributes.
pub fn graphml(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns ",
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    ));
    for (id, of, name, ty) in [
        ("label", "node", "label", "string"),
        ("kind", "node", "kind", "string"),
        ("folder", "node", "folder", "string"),
        ("tags", "node", "tags", "string"),
        ("backlinks", "node", "backlinks", "int"),
        ("outgoing", "node", "outgoing", "int"),
        ("edge_kind", "edge", "kind", "string"),
        ("subpath", "edge", "subpath", "string"),
        ("count", "edge", "count", "int"),
    ] {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{of}\" attr.name=\"{name}\" attr.type=\"{ty}\"/>"
        );
    }
    out.push_str("  <graph id=\"carnet\" edgedefault=\"directed\">\n");
    for n in &graph.nodes {
        let tags: Vec<&str> = n.tags.iter().map(|t| t.as_str()).collect();
        let _ = writeln!(
            out,
            "    <node id=\"{}\"><data key=\"label\">{}</data><data key=\"kind\">{}</data>\
             <data key=\"folder\">{}</data><data key=\"tags\">{}</data>\
             <data key=\"backlinks\">{}</data><data key=\"outgoing\">{}</data></node>",
            xml(&n.id),
            xml(&n.title),
            n.kind.as_str(),
            xml(n.folder()),
            xml(&tags.join(" ")),
            n.backlinks,
            n.outgoing,
        );
    }
    for (i, e) in graph.edges.iter().enumerate() {
        let subpath = e
            .subpath
            .as_deref()
            .map(|s| format!("<data key=\"subpath\">{}</data>", xml(s)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"edge_kind\">{}</data>\
             {subpath}<data key=\"count\">{}</data></edge>",
            xml(&graph.nodes[e.source as usize].id),
            xml(&graph.nodes[e.target as usize].id),
            e.kind.as_str(),
            e.count,
        );
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}
