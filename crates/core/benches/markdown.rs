//! Markdown → plain text: `markdown_to_plain` on an agent-style answer (headings, list,
//! table, emphasis, link), next to walking pulldown-cmark's events alone (the floor).

use criterion::{Criterion, criterion_group, criterion_main};
use pulldown_cmark::{Options, Parser};
use revops_core::render::markdown_to_plain;
use std::hint::black_box;

const ANSWER: &str = "## Deal status: IXIS\n\n**Stage:** Negotiation · **Amount:** $240,000 · **Close:** 2026-12-15\n\n\
Key points:\n\n- Champion: *Dana Ruiz* (VP Ops)\n- Legal review started on 2026-11-10\n- Next step: pricing call, see [the deal](https://crm.example.com/deals/ixis)\n\n\
| Deal | Stage | Amount |\n|---|---|---|\n| IXIS platform | Negotiation | $240,000 |\n| IXIS add-on | Proposal | $35,000 |\n\n\
1. Confirm the discount with finance\n2. Send the revised order form\n\n> Risk: budget freeze in Q1 if not signed by `2026-12-31`.\n";

fn markdown(c: &mut Criterion) {
    let mut group = c.benchmark_group("markdown_to_plain");
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    group.bench_function("pulldown_cmark_events_floor", |b| {
        b.iter(|| Parser::new_ext(black_box(ANSWER), options).count())
    });
    group.bench_function("markdown_to_plain", |b| {
        b.iter(|| markdown_to_plain(black_box(ANSWER)))
    });
    group.finish();
}

criterion_group!(benches, markdown);
criterion_main!(benches);
