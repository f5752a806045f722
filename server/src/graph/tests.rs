use super::report::{List, locations, report};
use super::*;
use crate::fixture::Fixture;

fn vault() -> Snapshot {
    Snapshot::from_texts(&[
        (
            "Home.md",
            "---\ntitle: Start here\nup: \"[[Index]]\"\n---\n# Home\n[[Ideas]] [[ideas#First]] [[Ideas#first]] \
             ![[Ideas#^blk]] [see](projects/Plan.md) [[#Home]] [[Home]] [[Missing]] [[missing]] ![[pic.png]]\n",
        ),
        (
            "Ideas.md",
            "# Ideas\n## First\ntext ^blk\n#idea #Idea/sub\n",
        ),
        ("Index.md", "[[Home]] [[Later]]\n"),
        (
            "projects/Plan.md",
            "#project\n[[Ideas]] [[Later]] [[Missing]]\n",
        ),
        ("projects/Lone.md", "#project/old nothing here\n"),
    ])
}

fn ids(g: &Graph) -> Vec<&str> {
    g.nodes.iter().map(|n| &*n.id).collect()
}

fn edges(g: &Graph) -> Vec<String> {
    g.edges
        .iter()
        .map(|e| {
            format!(
                "{} -> {} {}{} x{}",
                g.nodes[e.source as usize].id,
                g.nodes[e.target as usize].id,
                e.kind.as_str(),
                e.subpath
                    .as_deref()
                    .map(|s| format!("#{s}"))
                    .unwrap_or_default(),
                e.count
            )
        })
        .collect()
}

#[test]
fn edges_are_the_links_between_notes_by_kind_and_subpath() {
    let g = graph(&vault(), &Options::default());
    assert_eq!(
        ids(&g),
        [
            "Home.md",
            "Ideas.md",
            "Index.md",
            "projects/Lone.md",
            "projects/Plan.md"
        ]
    );
    assert_eq!(
        edges(&g),
        [
            // Subpaths as written: `[[ideas#First]]`, `[[Ideas#first]]`.
            "Home.md -> Ideas.md wiki x1",
            "Home.md -> Ideas.md wiki#First x1",
            "Home.md -> Ideas.md wiki#first x1",
            "Home.md -> Ideas.md embed#^blk x1",
            "Home.md -> Index.md frontmatter x1",
            "Home.md -> projects/Plan.md markdown x1",
            "Index.md -> Home.md wiki x1",
            "projects/Plan.md -> Ideas.md wiki x1",
        ]
    );
    let home = &g.nodes[0];
    assert_eq!(&*home.title, "Start here");
    assert_eq!((home.backlinks, home.outgoing), (1, 3));
    assert_eq!(&*g.nodes[1].title, "Ideas");
    assert_eq!((g.nodes[1].backlinks, g.nodes[1].outgoing), (2, 0));
    let tags: Vec<&str> = g.nodes[1].tags.iter().map(|t| t.as_str()).collect();
    assert_eq!(tags, ["Idea/sub", "idea"]);
    assert_eq!(g.nodes[4].folder(), "projects");
}

#[test]
fn missing_notes_are_nodes_only_when_asked_for() {
    let snap = vault();
    let with = Options {
        include_unresolved: true,
        ..Options::default()
    };
    let g = graph(&snap, &with);
    let unresolved: Vec<(&str, u32)> = g
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Unresolved)
        .map(|n| (&*n.id, n.backlinks))
        .collect();
    // `[[Missing]]` and `[[missing]]` want one note; the attachment is no node.
    assert_eq!(unresolved, [("Later.md", 2), ("Missing.md", 2)]);
    assert!(edges(&g).contains(&"Home.md -> Missing.md wiki x2".to_string()));
    // Without the option the counts are the same: they describe the vault.
    let without = graph(&snap, &Options::default());
    assert_eq!(without.nodes[0].outgoing, g.nodes[0].outgoing);
}

#[test]
fn neighbourhood_follows_links_both_ways_to_the_depth_asked() {
    let snap = vault();
    let near = |from: &str, depth: u32, unresolved: bool| {
        let o = Options {
            from: Some(from.into()),
            depth,
            include_unresolved: unresolved,
            ..Options::default()
        };
        ids(&graph(&snap, &o))
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(near("Index.md", 0, false), ["Index.md"]);
    assert_eq!(near("Index.md", 1, false), ["Home.md", "Index.md"]);
    assert_eq!(
        near("Index.md", 2, false),
        ["Home.md", "Ideas.md", "Index.md", "projects/Plan.md"]
    );
    assert_eq!(
        near("Index.md", 1, true),
        ["Home.md", "Index.md", "Later.md"]
    );
    // Through a missing note: Plan also wants Later.
    assert_eq!(
        near("Index.md", 2, true),
        [
            "Home.md",
            "Ideas.md",
            "Index.md",
            "projects/Plan.md",
            "Later.md",
            "Missing.md"
        ]
    );
    assert_eq!(near("projects/Lone.md", 3, true), ["projects/Lone.md"]);
    assert!(near("Nope.md", 1, false).is_empty());
}

#[test]
fn tag_and_folder_filters_keep_matching_notes_and_what_they_want() {
    let snap = vault();
    let by = |tags: &[&str], folders: &[&str]| {
        let o = Options {
            tags: tags.iter().map(|s| s.to_string()).collect(),
            folders: folders.iter().map(|s| s.to_string()).collect(),
            include_unresolved: true,
            ..Options::default()
        };
        let g = graph(&snap, &o);
        (ids(&g).join(" "), edges(&g).len())
    };
    // `#project` keeps `#project/old` too; missing notes follow their linkers.
    assert_eq!(
        by(&["#Project"], &[]),
        (
            "projects/Lone.md projects/Plan.md Later.md Missing.md".into(),
            2
        )
    );
    assert_eq!(by(&["idea"], &[]), ("Ideas.md".into(), 0));
    assert_eq!(
        by(&[], &["projects/"]),
        (
            "projects/Lone.md projects/Plan.md Later.md Missing.md".into(),
            2
        )
    );
    assert_eq!(by(&["project"], &["nowhere"]), (String::new(), 0));
    // The centre of a neighbourhood stays whatever the filters say.
    let o = Options {
        from: Some("Index.md".into()),
        depth: 2,
        folders: vec!["projects".into()],
        ..Options::default()
    };
    assert_eq!(ids(&graph(&snap, &o)), ["Index.md", "projects/Plan.md"]);
}

#[test]
fn report_lists_orphans_dead_ends_wanted_hubs_and_tags() {
    let r = report(&vault(), 0);
    assert_eq!(r.notes, 5);
    let paths = |v: &[NotePath]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    assert_eq!(paths(&r.orphans), ["projects/Lone.md"]);
    assert_eq!(paths(&r.dead_ends), ["Ideas.md", "projects/Lone.md"]);
    let wanted: Vec<(&str, usize, u32)> = r
        .wanted
        .iter()
        .map(|w| (&*w.path, w.links.len(), w.notes))
        .collect();
    // Missing: 3 links from 2 notes; Later: 2 links from 2 notes.
    assert_eq!(wanted, [("Missing.md", 3, 2), ("Later.md", 2, 2)]);
    assert_eq!(&*r.wanted[0].links[0].0, "Home.md");
    let hubs: Vec<(&str, u32)> = r.hubs.iter().map(|h| (&*h.path, h.backlinks)).collect();
    assert_eq!(
        hubs,
        [
            ("Ideas.md", 2),
            ("Home.md", 1),
            ("Index.md", 1),
            ("projects/Plan.md", 1)
        ]
    );
    assert_eq!(report(&vault(), 2).hubs.len(), 2);
    let tags: Vec<(&str, u32, u32)> = r
        .tags
        .iter()
        .map(|t| (t.tag.as_str(), t.uses, t.notes))
        .collect();
    assert_eq!(
        tags,
        [
            ("idea", 1, 1),
            ("Idea/sub", 1, 1),
            ("project", 1, 1),
            ("project/old", 1, 1)
        ]
    );
}

#[test]
fn tag_spellings_count_as_one_tag() {
    let snap = Snapshot::from_texts(&[
        ("a.md", "#ToDo #todo\n"),
        ("b.md", "#todo\n"),
        ("c.md", "#Other\n"),
    ]);
    let r = report(&snap, 0);
    assert_eq!(r.tags.len(), 2);
    assert_eq!(r.tags[0].tag.as_str(), "todo");
    let spellings: Vec<&str> = r.tags[0].spellings.iter().map(|s| s.as_str()).collect();
    assert_eq!(spellings, ["todo", "ToDo"]);
    assert_eq!((r.tags[0].uses, r.tags[0].notes), (3, 2));
}

#[test]
fn notes_are_found_by_path_or_by_link_text() {
    let snap = vault();
    let find = |s: &str| find_note(&snap, s).map(|p| p.to_string());
    assert_eq!(
        find("projects/Plan.md").as_deref(),
        Some("projects/Plan.md")
    );
    assert_eq!(
        find("./projects/Plan.md").as_deref(),
        Some("projects/Plan.md")
    );
    assert_eq!(find("plan").as_deref(), Some("projects/Plan.md"));
    assert_eq!(find("projects/plan").as_deref(), Some("projects/Plan.md"));
    assert_eq!(find("Ideas.md").as_deref(), Some("Ideas.md"));
    assert_eq!(find("Nope"), None);
    assert_eq!(find(""), None);
}

#[test]
fn exports_escape_what_their_formats_need() {
    let snap = Snapshot::from_texts(&[
        (
            "a \"q\" & <b>.md",
            "---\ntitle: 'T \\ \"x\" <&>'\n---\n[[c]]\n",
        ),
        ("c.md", "[[a \"q\" & <b>]]\n"),
    ]);
    let g = graph(&snap, &Options::default());
    assert_eq!(g.edges.len(), 2);
    let dot = export::dot(&g);
    assert!(
        dot.contains(r#""a \"q\" & <b>.md" -> "c.md" [kind=wiki, count=1];"#),
        "{dot}"
    );
    assert!(dot.contains(r#"label="T \\ \"x\" <&>""#), "{dot}");
    let xml = export::graphml(&g);
    assert!(
        xml.contains(r#"<node id="a &quot;q&quot; &amp; &lt;b&gt;.md">"#),
        "{xml}"
    );
    assert!(
        xml.contains("<data key=\"label\">T \\ &quot;x&quot; &lt;&amp;&gt;</data>"),
        "{xml}"
    );
    let json: serde_json::Value = serde_json::from_str(&export::json(&g)).unwrap();
    assert_eq!(json["nodes"][0]["path"], "a \"q\" & <b>.md");
    assert_eq!(json["nodes"][0]["title"], "T \\ \"x\" <&>");
    assert_eq!(json["edges"][0]["source"], "a \"q\" & <b>.md");
    assert_eq!(json["edges"][0]["target"], "c.md");
    assert!(json["edges"][0].get("subpath").is_none());
}

#[test]
fn pairs_merge_the_edges_of_one_source_and_target() {
    let g = graph(&vault(), &Options::default());
    let pairs = serde_json::to_value(export::Pairs::new(&g)).unwrap();
    // Home → Ideas: four edges (kinds, subpaths) of one link each, one pair.
    assert_eq!(
        pairs["edges"],
        serde_json::json!([[0, 1, 4], [0, 2, 1], [0, 4, 1], [2, 0, 1], [4, 1, 1]])
    );
    assert_eq!(
        pairs["nodes"],
        serde_json::to_value(export::Json::new(&g)).unwrap()["nodes"]
    );
}

#[test]
fn json_written_in_pieces_is_the_same_json() {
    let texts: Vec<(String, String)> = (0..5000)
        .map(|i| {
            (
                format!("n{i}.md"),
                format!("[[n{}]] [[n{}#H]]\n", (i + 1) % 5000, i / 2),
            )
        })
        .collect();
    // Names and subpaths JSON must escape, and one without a subpath.
    let hostile = [
        ("say \"hi\" \\ back.md", "[[n1#a \"q\" \\ \u{1}]] [[n2]]\n"),
        ("日本/ü é 🦀.md", "[[say \"hi\" \\ back#^b]] [[n3]]\n"),
    ];
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .chain(hostile)
        .collect();
    let g = graph(&Snapshot::from_texts(&refs), &Options::default());
    assert!(g.edges.len() > 2 * 2048 && g.nodes.len() > 2048);
    let named = |p: &str| g.nodes.iter().position(|n| &*n.id == p).unwrap() as u32;
    let (a, b) = (named("say \"hi\" \\ back.md"), named("日本/ü é 🦀.md"));
    assert!(
        g.edges
            .iter()
            .any(|e| e.source == a && e.subpath.as_deref() == Some("a \"q\" \\ \u{1}"))
    );
    assert!(
        g.edges
            .iter()
            .any(|e| e.source == b && e.target == a && e.subpath.is_some())
    );
    let whole = serde_json::to_string(&export::Json::new(&g)).unwrap();
    assert_eq!(export::json(&g), whole);
}

#[test]
fn a_snapshot_is_the_same_as_its_clones_only() {
    let snap = vault();
    assert!(snap.same_as(&snap.clone()));
    let next = snap.with_note(crate::index::Note::new(
        "Index.md".into(),
        crate::facts::extract("[[Home]]\n"),
        9,
    ));
    assert!(!snap.same_as(&next));
    assert!(
        !next.same_as(&vault()),
        "built apart, even from the same texts"
    );
}

/// What the editor's report commands point at, drawn on the fixture: each
/// link that wants a missing note, each use of a tag, the start of each
/// orphan. A link in a `%%` comment is a backlink (`b.md` is no orphan) but
/// wants nothing.
#[test]
fn report_locations_are_where_links_and_tags_are_written() {
    let fixture = Fixture::parse(
        r#"
        //- a.md
        [[Gone]] #tag %% [[Never]] [[b]] %%
        ^ orphan
        ^^^^^^^^ wanted
                 ^^^^ tag
        //- b.md
        [gone](Gone.md) #Tag
        ^^^^^^^^^^^^^^^ wanted
                        ^^^^ tag
        //- c.md
        Nothing here.
        ^ orphan
        "#,
    );
    let snap = fixture.snapshot();
    let r = report(&snap, 0);
    let mut marks = Vec::new();
    for (list, label) in [
        (List::Orphans, "orphan"),
        (List::Wanted, "wanted"),
        (List::Tags, "tag"),
    ] {
        for l in locations(&snap, &r, list) {
            marks.push((fixture.file(&l.path).path.as_str(), l.span, label));
        }
    }
    assert_eq!(fixture.annotate(marks), fixture.written());
    let dead_ends = locations(&snap, &r, List::DeadEnds);
    let dead_ends: Vec<&str> = dead_ends.iter().map(|l| &*l.path).collect();
    assert_eq!(dead_ends, ["b.md", "c.md"]);
    let hubs = locations(&snap, &r, List::Hubs);
    let hubs: Vec<&str> = hubs.iter().map(|l| &*l.path).collect();
    assert_eq!(hubs, ["b.md"]);
}

#[test]
fn a_whole_vault_taken_is_the_whole_vault_selected() {
    let snap = vault();
    for include_unresolved in [false, true] {
        let options = Options {
            include_unresolved,
            ..Options::default()
        };
        let full = Full::build(&snap);
        let selected = full.select(&options);
        assert!(selected.nodes.len() >= 5 && !selected.edges.is_empty());
        assert_eq!(
            selected
                .nodes
                .iter()
                .any(|n| n.kind == NodeKind::Unresolved),
            include_unresolved
        );
        assert_eq!(full.into_selected(&options), selected);
    }
}
