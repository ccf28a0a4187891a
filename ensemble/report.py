"""The HTML report of a run: one self-contained file with scores and pictures of grids.

    from ensemble.report import write_report
    write_report("runs/train-dsl")          # writes runs/train-dsl/report.html

The report holds the run's settings, the overall / per-branch / per-proposer
scores (``summary.json``, recomputed from the rows when missing), a filter by
outcome (solved, partly solved, unsolved, error, no truth) and, per task, its
train pairs, test inputs, both attempts with the proposers that produced them, their
verifier score and (folded) the program that made an induction attempt, the truth when
it is known, and (folded) every candidate of each test input with its verifier score.
Grids are inline SVG: one path per colour of horizontal runs, so 400 tasks stay a few
megabytes. No external resources; the only script toggles the outcome filter. ``render_report`` is pure (data in,
HTML out); ``collect`` reads a run directory into its input.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from arc_core import AUGMENTED_FIT, TRAIN_FIT, DatasetError, Grid, GridError, Selection, Task, load_dataset
from arc_core.scoring import ATTEMPTS

from .rundir import REPORT, SUMMARY, RunDir
from .summary import summarize

# ARC's standard palette, colour 0..9.
PALETTE = (
    "#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00",
    "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25",
)

# Outcome classes of a task, in the order the filter shows them. Their page colours are
# deliberately not palette colours, so a pixel of a palette colour belongs to a grid.
OUTCOMES = ("solved", "partial", "unsolved", "error", "no-truth")

# Config keys worth a line in the header, in this order (the full config is below them).
_ESSENTIAL_KEYS = (
    "dataset", "solutions", "selection", "proposers", "proposer_options", "budget_s", "seed",
    "ranking", "verifier", "router", "ray", "git_commit", "started", "python",
)


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from one run directory."""

    config: Mapping[str, Any]
    """The run's config.json."""
    results: Sequence[Mapping[str, Any]]
    """results.jsonl rows, one per task."""
    summary: Mapping[str, Any]
    """summary.json (or ``ensemble.summary.summarize`` of the rows)."""
    tasks: Mapping[str, Task] = field(default_factory=dict)
    """The run's tasks by id, with their truth where known."""
    load_errors: Mapping[str, str] = field(default_factory=dict)
    """Task id -> why the task could not be loaded for the report."""
    candidates: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    """Task id -> its candidates.jsonl rows."""


def write_report(run_dir: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the run in ``run_dir`` (default: RUN_DIR/report.html)."""
    run = RunDir(run_dir)
    path = Path(out) if out is not None else run.path / REPORT
    html = render_report(collect(run))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


def collect(run: RunDir) -> ReportData:
    """Read config, results, candidates and summary of a run, and load its tasks."""
    config = run.config()
    results = sorted(run.results(), key=lambda r: str(r["task_id"]))
    summary_path = run.path / SUMMARY
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
    else:
        summary = summarize(str(config.get("dataset")), results, run.candidates())
    tasks, load_errors = load_tasks(config, [str(r["task_id"]) for r in results])
    return ReportData(config, results, summary, tasks, load_errors, candidates_by_task(run.candidates()))


def load_tasks(config: Mapping[str, Any], ids: Sequence[str]) -> tuple[dict[str, Task], dict[str, str]]:
    """The tasks with these ids from the run's dataset; failures become messages per task."""
    if not ids:
        return {}, {}
    spec, solutions = str(config.get("dataset")), config.get("solutions")
    try:
        datasets = [load_dataset(spec, Selection(tasks=tuple(ids)), solutions=solutions)]
    except DatasetError:
        datasets = []
        errors: dict[str, str] = {}
        for task_id in ids:  # one at a time, so one unknown id does not hide the others
            try:
                datasets.append(load_dataset(spec, Selection(tasks=(task_id,)), solutions=solutions))
            except DatasetError as e:
                errors[task_id] = str(e)
    else:
        errors = {}
    tasks = {t.id: t for d in datasets for t in d.tasks}
    errors.update({e.task_id: str(e) for d in datasets for e in d.errors})
    return tasks, errors


def candidates_by_task(rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    by_task: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_task[str(r["task_id"])].append(r)
    return dict(by_task)


PROGRAM_KEYS = ("source", "program")
"""Where a candidate's provenance holds the program that made it: the dsl proposer records
its rendered source under "source", the LLM induction proposer under "program"."""


def program_source(candidate: Mapping[str, Any]) -> str | None:
    """The program of an induction candidate row (None for a transduction one)."""
    provenance = candidate.get("provenance") or {}
    for key in PROGRAM_KEYS:
        if isinstance(provenance.get(key), str) and provenance[key].strip():
            return provenance[key]
    return None


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document."""
    outcomes = {str(r["task_id"]): task_outcome(r) for r in data.results}
    title = f"arc-ensemble run: {data.config.get('dataset', '?')}"
    body = "\n".join([
        f"<h1>{escape(title)}</h1>",
        _config_section(data.config),
        _summary_section(data.summary),
        _filter_section(Counter(outcomes.values())),
        _index_section(data.results, outcomes),
        "<main>",
        *(_task_section(i, r, data, outcomes[str(r["task_id"])]) for i, r in enumerate(data.results)),
        "</main>" if data.results else "<p>No task finished in this run.</p></main>",
    ])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_css()}</style></head>\n"
        f"<body>\n{body}\n<script>{_SCRIPT}</script>\n</body></html>\n"
    )


def task_outcome(result: Mapping[str, Any]) -> str:
    """One of OUTCOMES for a results row."""
    if result.get("status") == "error":
        return "error"
    score = result.get("score")
    if score is None:
        return "no-truth"
    if score >= 1.0:
        return "solved"
    return "partial" if score > 0 else "unsolved"


# ---- grids -----------------------------------------------------------------------------------


def grid_svg(grid: Grid, max_px: int = 200) -> str:
    """An inline SVG of the grid: background rect, one path per other colour, grid lines."""
    a = grid.array
    h, w = a.shape
    cell = max(5, min(20, max_px // max(h, w)))
    background = int(np.bincount(a.ravel(), minlength=10).argmax())
    runs: dict[int, list[str]] = defaultdict(list)
    for y in range(h):
        row = a[y]
        starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
        ends = np.r_[starts[1:], w]
        for x0, x1 in zip(starts.tolist(), ends.tolist()):
            colour = int(row[x0])
            if colour != background:
                runs[colour].append(f"M{x0} {y}h{x1 - x0}v1h-{x1 - x0}z")
    paths = "".join(f'<path class="c{c}" d="{"".join(d)}"/>' for c, d in sorted(runs.items()))
    lines = "".join(f"M0 {y}h{w}" for y in range(1, h)) + "".join(f"M{x} 0v{h}" for x in range(1, w))
    grid_lines = f'<path class="gl" d="{lines}"/>' if lines else ""
    return (
        f'<svg class="g" width="{w * cell}" height="{h * cell}" viewBox="0 0 {w} {h}" '
        f'role="img" aria-label="{h}x{w} grid"><rect class="c{background}" width="{w}" '
        f'height="{h}"/>{paths}{grid_lines}</svg>'
    )


def _figure(caption: str, grid: Any, css_class: str = "", below: str = "") -> str:
    """A captioned grid; ``caption`` and ``below`` are HTML (callers escape); a bad grid
    shows its error."""
    try:
        grid = grid if isinstance(grid, Grid) else Grid(grid)
    except GridError as e:
        picture, shape = f'<span class="err">bad grid: {escape(str(e))}</span>', ""
    else:
        picture, shape = grid_svg(grid), f" {grid.height}x{grid.width}"
    cls = f' class="{css_class}"' if css_class else ""
    return f"<figure{cls}>{picture}<figcaption>{caption}{escape(shape)}</figcaption>{below}</figure>"


# ---- page sections ---------------------------------------------------------------------------


def _config_section(config: Mapping[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(_short(config[k]))}</td></tr>"
        for k in _ESSENTIAL_KEYS if config.get(k) not in (None, "", [], {})
    )
    versions = config.get("versions") or {}
    if versions:
        text = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
        rows += f"<tr><th>versions</th><td>{escape(text)}</td></tr>"
    full = escape(json.dumps(config, indent=2, sort_keys=True, default=str))
    return (
        f'<section class="cfg"><h2>Run</h2><table>{rows}</table>'
        f"<details><summary>full config.json</summary><pre>{full}</pre></details></section>"
    )


def _summary_section(summary: Mapping[str, Any]) -> str:
    o = summary.get("overall") or {}
    head = (
        f'<p class="big">score <b>{_pct(o.get("score"))}</b> '
        f'({_num(o.get("tasks_solved"))} of {_num(o.get("tasks"))} tasks) · '
        f'oracle <b>{_pct(o.get("oracle"))}</b> · per test output <b>{_pct(o.get("output_score"))}</b> '
        f'({_num(o.get("outputs_correct"))} of {_num(o.get("test_outputs"))}) · '
        f'errors {_num(summary.get("errors"))} · CPU-s per task (median) '
        f'{_num(summary.get("cpu_s_per_task_median"))}</p>'
    )
    cpu = summary.get("cpu_s_per_proposer_median") or {}
    tables = [
        _score_table("branch", summary.get("per_branch") or {}, None),
        _score_table("proposer", summary.get("per_proposer") or {}, cpu),
    ]
    return f'<section class="sum"><h2>Scores</h2>{head}<div class="row">{"".join(tables)}</div></section>'


def _score_table(title: str, groups: Mapping[str, Mapping[str, Any]], cpu: Mapping[str, float] | None) -> str:
    cpu_head = "<th>CPU-s median</th>" if cpu is not None else ""
    rows = "".join(
        f"<tr><td>{escape(str(name))}</td><td>{_pct(s.get('score'))}</td><td>{_pct(s.get('oracle'))}</td>"
        + (f"<td>{_num(cpu.get(name))}</td>" if cpu is not None else "")
        + "</tr>"
        for name, s in groups.items()
    )
    if not rows:
        rows = f'<tr><td colspan="4">no {escape(title)} candidates</td></tr>'
    return (
        f'<table class="scores"><caption>per {escape(title)} (its own two best grids by votes, fitting ones first)</caption>'
        f"<tr><th>{escape(title)}</th><th>pass@2</th><th>oracle</th>{cpu_head}</tr>{rows}</table>"
    )


def _filter_section(counts: Counter[str]) -> str:
    boxes = "".join(
        f'<label class="o-{o}"><input type="checkbox" value="{o}" checked> {o} ({counts.get(o, 0)})</label>'
        for o in OUTCOMES
    )
    return f'<section id="filter"><h2>Tasks</h2>show: {boxes}</section>'


def _index_section(results: Sequence[Mapping[str, Any]], outcomes: Mapping[str, str]) -> str:
    links = "".join(
        f'<a class="task {outcomes[str(r["task_id"])]}" href="#t{i}">{escape(str(r["task_id"]))}</a>'
        for i, r in enumerate(results)
    )
    return f'<nav class="idx">{links}</nav>'


def _task_section(index: int, result: Mapping[str, Any], data: ReportData, outcome: str) -> str:
    task_id = str(result["task_id"])
    task = data.tasks.get(task_id)
    candidates = data.candidates.get(task_id, [])
    parts = [_task_header(result, outcome, candidates)]
    if result.get("status") == "error":
        parts.append(f'<p class="err">error: {escape(str(result.get("error")))}</p>')
    if result.get("unscored"):
        parts.append(f'<p class="err">unscored: {escape(str(result["unscored"]))}</p>')
    if task is None:
        why = data.load_errors.get(task_id, "task not found in the dataset")
        parts.append(f'<p class="err">task not loaded: {escape(why)}</p>')
    else:
        parts.append(_train_block(task))
        for i in range(len(task.test_inputs)):
            pool = [c for c in candidates if c.get("test_index") == i]
            parts.append(_test_block(task, result, i, pool))
            parts.append(_candidate_table(i, pool, result))
    return f'<section class="task {outcome}" id="t{index}">{"".join(parts)}</section>'


def _task_header(result: Mapping[str, Any], outcome: str, candidates: Sequence[Mapping[str, Any]]) -> str:
    facts = [f'<span class="badge o-{outcome}">{outcome}</span>']
    if result.get("score") is not None:
        facts.append(f"score {_num(result['score'])} · oracle {_num(result.get('oracle'))}")
    counts = Counter(str(c.get("proposer")) for c in candidates)
    if counts:
        facts.append("candidates " + ", ".join(f"{escape(p)} {n}" for p, n in sorted(counts.items())))
    seconds = result.get("seconds") or {}
    if seconds:
        facts.append("seconds " + ", ".join(f"{escape(p)} {_num(s)}" for p, s in seconds.items()))
    errors = "".join(
        f'<li class="err">{escape(str(p))}: {escape(str(m))}</li>'
        for p, m in (result.get("proposer_errors") or {}).items()
    )
    return (
        f"<h3>{escape(str(result['task_id']))}</h3><p class=\"facts\">{' · '.join(facts)}</p>"
        + (f"<ul>{errors}</ul>" if errors else "")
    )


def _train_block(task: Task) -> str:
    pairs = "".join(
        f'<div class="pair">{_figure(f"train {i + 1} in", ex.input)}'
        f'<span class="arrow">→</span>{_figure("out", ex.output)}</div>'
        for i, ex in enumerate(task.train)
    )
    return f'<div class="train">{pairs}</div>'


def _test_block(task: Task, result: Mapping[str, Any], i: int, pool: Sequence[Mapping[str, Any]]) -> str:
    truth = task.test_outputs[i] if task.test_outputs is not None else None
    attempts = result.get("attempts") or []
    sources = result.get("attempt_sources") or []
    figures = [_figure(f"test {i + 1} in", task.test_inputs[i])]
    picked = attempts[i] if i < len(attempts) else []
    for k, grid in enumerate(picked[:ATTEMPTS]):
        who = sources[i][k] if i < len(sources) and k < len(sources[i]) else []
        same = _ranked([c for c in pool if c.get("grid") == grid])
        figures.append(_attempt_figure(k, grid, who, truth, same))
    if not picked and result.get("status") != "error":
        figures.append('<p class="none">no attempt</p>')
    if truth is not None:
        figures.append(_figure("truth", truth, "truth"))
    return f'<div class="test">{"".join(figures)}</div>'


def _attempt_figure(k: int, grid: Any, proposers: Sequence[str], truth: Grid | None,
                    same: Sequence[Mapping[str, Any]]) -> str:
    """An attempt with its proposers, its best verifier score and, folded, the programs
    (of the candidates that proposed this grid) that made it."""
    mark, cls = "", "attempt"
    if truth is not None:
        try:
            right = Grid(grid) == truth
        except GridError:
            right = False
        mark, cls = (" ✓", "attempt right") if right else (" ✗", "attempt wrong")
    who = escape(", ".join(str(p) for p in proposers)) or "?"
    scores = [c["score"] for c in same if _is_number(c.get("score"))]
    verifier = f'<small class="v">verifier {_num(max(scores))}</small>' if scores else ""
    programs, seen = [], set()
    for c in same:
        source = program_source(c)
        if source is not None and source not in seen:
            seen.add(source)
            programs.append(_program(source, f"program ({escape(str(c.get('proposer')))})"))
    return _figure(f"attempt {k + 1}{mark} <small>({who})</small>", grid, cls, verifier + "".join(programs))


def _candidate_table(i: int, pool: Sequence[Mapping[str, Any]], result: Mapping[str, Any]) -> str:
    """Every candidate of test input ``i``, best verifier score first, folded."""
    if not pool:
        return ""
    attempts = result.get("attempts") or []
    picked = attempts[i][:ATTEMPTS] if i < len(attempts) else []
    rows = []
    for c in _ranked(pool):
        features = c.get("features") or {}
        grid = c.get("grid") or []
        shape = f"{len(grid)}x{len(grid[0])}" if grid and isinstance(grid[0], list) else "?"
        attempt = next((f"attempt {k + 1}" for k, g in enumerate(picked) if g == grid), "")
        right = {True: "✓", False: "✗"}.get(c.get("correct"), "")
        source = program_source(c)
        rows.append(
            f"<tr><td>{escape(str(c.get('proposer')))}</td><td>{escape(str(c.get('branch')))}</td>"
            f"<td>{_num(features.get('votes'))}</td><td>{_num(_fit(c, features))}</td>"
            f"<td>{_num(c.get('score'))}</td><td>{shape}</td><td>{attempt}</td><td>{right}</td>"
            f"<td>{_program(source, 'program') if source is not None else '–'}</td></tr>"
        )
    head = "".join(f"<th>{h}</th>" for h in
                   ("proposer", "branch", "votes", "fit", "verifier", "shape", "picked", "right", "program"))
    return (
        f'<details class="cands"><summary>test {i + 1}: {len(pool)} candidate(s), verifier score '
        f"first</summary><table><tr>{head}</tr>{''.join(rows)}</table></details>"
    )


def _ranked(pool: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Best verifier score first (unscored ones last), then most votes."""
    def key(c: Mapping[str, Any]) -> tuple[float, float]:
        score, votes = c.get("score"), (c.get("features") or {}).get("votes")
        return (-score if _is_number(score) else 1.0, -votes if _is_number(votes) else 0.0)

    return sorted(pool, key=key)


def _program(source: str, label: str) -> str:
    """A folded program: ``label`` (HTML) opens the source."""
    return f'<details class="prog"><summary>{label}</summary><pre>{escape(source)}</pre></details>'


# ---- formatting ------------------------------------------------------------------------------


def _pct(x: Any) -> str:
    return f"{x:.1%}" if isinstance(x, (int, float)) else "–"


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _fit(row: Mapping[str, Any], features: Mapping[str, Any]) -> Any:
    """The fit the candidate's branch reports: a program's train fit, a net's augmented fit
    (older runs stored the latter as ``train_fit`` too)."""
    if row.get("branch") == "transduction":
        return features.get(AUGMENTED_FIT, features.get(TRAIN_FIT))
    return features.get(TRAIN_FIT)


def _num(x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return "–" if x is None else escape(str(x))
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _css() -> str:
    colours = "".join(f".c{i}{{fill:{c}}}" for i, c in enumerate(PALETTE))
    hide = "".join(f".hide-{o} .task.{o}," for o in OUTCOMES).rstrip(",")
    return colours + hide + "{display:none}" + _STYLE


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;background:#f7f7f7;color:#222}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin:.8em 0 .3em}
h3{font-size:1.05em;margin:0;font-family:monospace}
table{border-collapse:collapse;margin:.3em 1.5em .3em 0}
th,td{text-align:left;padding:1px 8px;border-bottom:1px solid #ddd;vertical-align:top}
caption{text-align:left;font-weight:bold}
.cfg td{font-family:monospace;word-break:break-all}
pre{font-size:12px;max-height:20em;overflow:auto;background:#fff;padding:.5em}
.big{font-size:1.1em}.row{display:flex;flex-wrap:wrap;align-items:flex-start}
#filter label{margin-right:1em;cursor:pointer}
.idx{display:flex;flex-wrap:wrap;gap:3px;margin:.5em 0}
.idx a{font:11px monospace;padding:1px 4px;border-radius:3px;text-decoration:none;color:#222}
.solved,.o-solved{--o:#3cb371}.partial,.o-partial{--o:#e6b800}.unsolved,.o-unsolved{--o:#e0533d}
.error,.o-error{--o:#8b1a3a}.no-truth,.o-no-truth{--o:#999}
.idx a,.badge{background:color-mix(in srgb,var(--o) 35%,#fff)}
.badge{padding:0 6px;border-radius:3px;font-weight:bold}
section.task{background:#fff;border-left:5px solid var(--o);margin:.8em 0;padding:.5em .8em}
.facts{margin:.2em 0;font-size:12px;color:#555}
.train,.test{display:flex;flex-wrap:wrap;align-items:flex-end;gap:4px 18px;margin:.4em 0}
.test{border-top:1px dashed #ccc;padding-top:.4em}
.pair{display:flex;align-items:center;gap:4px}.arrow{color:#888}
figure{margin:0;display:flex;flex-direction:column;align-items:center}
figcaption{font-size:11px;color:#555}
.g{display:block;border:1px solid #888;shape-rendering:crispEdges}
.gl{fill:none;stroke:#555;stroke-width:1px;vector-effect:non-scaling-stroke}
.attempt .g{outline:2px solid #ccc;outline-offset:1px}
.right .g{outline-color:#3cb371}.wrong .g{outline-color:#e0533d}
.truth figcaption{font-weight:bold}
.err{color:#b00020;font-family:monospace;white-space:pre-wrap}.none{color:#888}
.v{font-size:11px;color:#333}.prog{font-size:11px;align-self:stretch}.prog summary{cursor:pointer;color:#555}
.prog pre{margin:.2em 0;max-height:none;white-space:pre;text-align:left}
.cands{font-size:12px;margin:.2em 0 .4em}.cands summary{cursor:pointer;color:#555}
.cands td{font-family:monospace}.cands .prog pre{max-width:60em;overflow:auto}
"""

# The outcome filter: an unchecked box hides that outcome's tasks (and index links).
# A URL fragment such as ``#show=unsolved,error`` starts with only those boxes checked.
_SCRIPT = """
const boxes = document.querySelectorAll('#filter input');
function apply(){for(const b of boxes)document.body.classList.toggle('hide-'+b.value,!b.checked);}
const m = location.hash.match(/^#show=([\\w,-]*)$/);
if(m){const show=m[1].split(',');for(const b of boxes)b.checked=show.includes(b.value);}
for(const b of boxes)b.addEventListener('change',apply);
apply();
"""
