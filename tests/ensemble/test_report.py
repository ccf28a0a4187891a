"""The HTML report: what render_report draws, escaping, the outcome filter, error tasks.

    python -m pytest tests/ensemble/test_report.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from arc_core import Grid, Task
from ensemble.report import OUTCOMES, PALETTE, ReportData, grid_svg, render_report, task_outcome, write_report
from ensemble.rundir import REPORT, SUMMARY


def _task_sections(html: str) -> dict[str, str]:
    """Task id -> its <section> (the id is the <h3> of the section)."""
    sections = re.findall(r'<section class="task [^"]*" id="t\d+">.*?</section>', html, flags=re.S)
    return {re.search(r"<h3>(.*?)</h3>", s).group(1): s for s in sections}


def _row(task_id: str, **extra) -> dict:
    row = {
        "task_id": task_id, "status": "ok", "error": None, "n_test": 1, "attempts": [[[[1]], [[2]]]],
        "attempt_sources": [[["dsl"], ["ttt-net"]]], "correct": None, "score": None, "oracle": None,
        "seconds": {}, "cpu_seconds": {}, "proposer_errors": {}, "n_candidates": 2, "branch_trust": {},
        "node": None,
    }
    return {**row, **extra}


def _task(task_id: str, truth: list | None = None) -> Task:
    test = {"input": [[1, 2]]} if truth is None else {"input": [[1, 2]], "output": truth}
    return Task.from_json(task_id, {"train": [{"input": [[3]], "output": [[4]]}], "test": [test]})


def test_write_report_draws_every_task_and_shows_the_error(report_run: Path):
    path = write_report(report_run)
    assert path == report_run / REPORT
    html = path.read_text()
    sections = _task_sections(html)
    assert set(sections) == {"blue", "green", "broken"}
    assert 'class="task solved"' in sections["blue"] and 'class="task unsolved"' in sections["green"]
    assert 'class="task error"' in sections["broken"]
    # the error row's message (escaped) and why the task itself could not be loaded
    assert "every proposer failed: &lt;ValueError&gt; &amp; co" in sections["broken"]
    assert "<ValueError>" not in html
    assert "task not loaded" in sections["broken"] and "no train pairs" in sections["broken"]
    # blue: 2 train pairs (4 grids) + test input + 2 attempts + truth
    assert sections["blue"].count("<svg") == 8
    assert "attempt 1 ✓ <small>(dsl)</small>" in sections["blue"]
    assert "attempt 2 ✗ <small>(ttt-net)</small>" in sections["blue"]
    assert "attempt 1 ✓" not in sections["green"] and sections["green"].count("<figcaption>truth") == 1


def test_report_is_self_contained(report_run: Path):
    html = write_report(report_run, report_run / "other.html").read_text()
    assert not (report_run / REPORT).exists()
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert html.count("<script") == 1 and html.count("<style") == 1


def test_summary_is_computed_when_missing_and_read_when_present(report_run: Path):
    html = write_report(report_run).read_text()
    # blue solved, green not, broken errored: 1 of 3 tasks
    assert "score <b>33.3%</b> (1 of 3 tasks)" in html
    assert not (report_run / SUMMARY).exists()
    summary = {"dataset": "x", "overall": {"score": 0.875, "tasks": 8}}
    (report_run / SUMMARY).write_text(json.dumps(summary))
    assert "score <b>87.5%</b>" in write_report(report_run).read_text()


def test_summary_tables_per_branch_and_proposer(report_run: Path):
    html = write_report(report_run).read_text()
    tables = re.findall(r'<table class="scores">.*?</table>', html, flags=re.S)
    assert len(tables) == 2
    assert "<td>induction</td><td>33.3%</td><td>33.3%</td>" in tables[0]
    assert "<td>transduction</td><td>0.0%</td><td>0.0%</td>" in tables[0]
    assert "<td>dsl</td><td>33.3%</td><td>33.3%</td><td>0.375</td>" in tables[1]


def test_text_is_escaped():
    bad = '<img src=x onerror="alert(1)">&'
    data = ReportData(
        config={"dataset": bad, "proposers": [bad]},
        results=[
            _row(bad, status="error", error=bad, attempts=[], attempt_sources=[]),
            _row("t2", proposer_errors={bad: bad}, attempt_sources=[[[bad], []]]),
        ],
        summary={"dataset": bad, "overall": {}, "per_proposer": {bad: {"score": 0.0, "oracle": 0.0}}},
        load_errors={bad: bad},
    )
    html = render_report(data)
    assert "<img" not in html and 'onerror="' not in html
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;") >= 7


def test_filter_has_a_box_per_outcome_with_counts():
    tasks = {"a": _task("a", [[1]]), "b": _task("b", [[9]]), "c": _task("c")}
    results = [
        _row("a", score=1.0, oracle=1.0, correct=[True]),
        _row("b", score=0.0, oracle=0.0, correct=[False]),
        _row("c"),
        _row("d", status="error", error="boom", attempts=[], attempt_sources=[]),
    ]
    html = render_report(ReportData({"dataset": "x"}, results, {"overall": {}}, tasks))
    for outcome, count in zip(OUTCOMES, (1, 0, 1, 1, 1)):
        assert f'<input type="checkbox" value="{outcome}" checked> {outcome} ({count})' in html
        assert f".hide-{outcome} .task.{outcome}" in html
    assert [task_outcome(r) for r in results] == ["solved", "unsolved", "no-truth", "error"]
    assert task_outcome(_row("p", score=0.5)) == "partial"
    sections = _task_sections(html)
    assert not any(mark in sections["c"] for mark in ("<figcaption>truth", "✓", "✗"))
    assert "boom" in sections["d"] and "task not found in the dataset" in sections["d"]


def test_unknown_task_id_does_not_hide_the_others(report_run: Path):
    with open(report_run / "results.jsonl", "a") as f:
        f.write(json.dumps(_row("not-in-dataset")) + "\n")
    sections = _task_sections(write_report(report_run).read_text())
    assert "unknown task id" in sections["not-in-dataset"]
    assert sections["blue"].count("<svg") == 8


def test_grid_svg_one_path_per_non_background_colour():
    svg = grid_svg(Grid([[1, 1, 0, 0], [0, 2, 2, 0]]))
    assert '<rect class="c0" width="4" height="2"/>' in svg
    assert '<path class="c1" d="M0 0h2v1h-2z"/>' in svg
    assert '<path class="c2" d="M1 1h2v1h-2z"/>' in svg
    assert 'viewBox="0 0 4 2"' in svg and svg.count("<path") == 3  # + grid lines
    assert f".c9{{fill:{PALETTE[9]}}}" in render_report(ReportData({}, [], {}))


def test_grid_svg_stays_small_for_big_grids():
    checker = Grid([[(x + y) % 2 * (1 + (x * y) % 9) for x in range(30)] for y in range(30)])
    assert len(grid_svg(checker)) < 16_000  # worst case: every cell a run of its own
    assert len(grid_svg(Grid([[5] * 30] * 30))) < 1_000


def test_partly_solved_task_with_two_test_inputs():
    task = Task.from_json("two", {
        "train": [{"input": [[3]], "output": [[4]]}],
        "test": [{"input": [[1]], "output": [[5]]}, {"input": [[2]], "output": [[6]]}],
    })
    row = _row(
        "two", n_test=2, attempts=[[[[5]], [[7]]], [[[8]]]],
        attempt_sources=[[["dsl"], ["ttt-net"]], [["dsl"]]], correct=[True, False], score=0.5, oracle=0.5,
    )
    section = _task_sections(render_report(ReportData({}, [row], {}, {"two": task})))["two"]
    assert 'class="task partial"' in section
    assert section.count('<div class="test">') == 2 and section.count("<figcaption>truth") == 2
    assert section.count("attempt 1 ✓") == 1 and section.count("✗") == 2


def test_four_hundred_tasks_stay_a_few_megabytes():
    from arc_core import load_dataset

    tasks = load_dataset("arc-agi-1/training").tasks
    assert len(tasks) == 400
    rows = [
        _row(t.id, n_test=len(t.test_inputs), attempts=[[x.to_list(), x.to_list()] for x in t.test_inputs],
             attempt_sources=[[["dsl"], ["ttt-net"]] for _ in t.test_inputs], score=0.0, oracle=0.0)
        for t in tasks
    ]
    html = render_report(ReportData({"dataset": "arc-agi-1/training"}, rows, {}, {t.id: t for t in tasks}))
    assert len(_task_sections(html)) == 400
    assert len(html.encode()) < 6_000_000


def _cand(grid, proposer, score, correct, **provenance) -> dict:
    branch = "transduction" if proposer == "ttt-net" else "induction"
    return {"task_id": "p", "test_index": 0, "grid": grid, "branch": branch, "proposer": proposer,
            "provenance": provenance, "features": {"votes": 2, "train_fit": 1.0}, "score": score,
            "correct": correct}


def test_attempts_show_their_program_folded_and_every_candidate_its_verifier_score():
    task = _task("p", [[2, 1]])
    source = "def transform(grid):\n    return flip(grid)  # a < b\n"
    candidates = [
        _cand([[9]], "ttt-net", 0.125, False, seed=0),
        _cand([[2, 1]], "dsl", 0.875, True, source=source),
        _cand([[2, 1]], "llm-induction", 0.5, True, program="def transform(g):\n    return g[::-1]\n"),
        _cand([[7]], "dsl", None, False, source="def transform(grid):\n    return other(grid)\n"),
    ]
    row = _row("p", attempts=[[[[2, 1]], [[9]]]], attempt_sources=[[["dsl", "llm-induction"], ["ttt-net"]]],
               score=1.0, oracle=1.0, correct=[True], node="0f3a9c", branch_trust={"induction": 0.8123})
    section = _task_sections(render_report(ReportData({}, [row], {}, {"p": task}, candidates={"p": candidates})))["p"]
    figures = re.findall(r"<figure.*?</figure>", section, flags=re.S)
    first = next(f for f in figures if "attempt 1" in f)
    assert '<small class="v">verifier 0.875</small>' in first  # the best score of its candidates
    assert ('<details class="prog"><summary>program (dsl)</summary><pre>def transform(grid):\n'
            "    return flip(grid)  # a &lt; b\n</pre></details>") in first
    assert "program (llm-induction)" in first and "g[::-1]" in first  # both programs that made it
    second = next(f for f in figures if "attempt 2" in f)
    assert "verifier 0.125" in second and "<details" not in second  # transduction: no program
    table = re.search(r'<details class="cands">.*?</table></details>', section, flags=re.S).group(0)
    assert "<summary>test 1: 4 candidate(s), verifier score first</summary>" in table
    order = re.findall(r"<tr><td>([\w-]+)</td><td>\w+</td><td>2</td><td>1</td><td>([\d.–]+)</td>", table)
    assert order == [("dsl", "0.875"), ("llm-induction", "0.5"), ("ttt-net", "0.125"), ("dsl", "–")]
    assert "other(grid)" in table and table.count("<td>attempt 1</td>") == 2
    assert "node" not in section and "0f3a9c" not in section and "0.812" not in section
    assert "branch trust" not in section


def test_an_unscored_task_says_why():
    row = _row("u", unscored="s.json: task u: 2 test outputs for 1 test inputs; solved, not scored")
    section = _task_sections(render_report(ReportData({}, [row], {}, {"u": _task("u")})))["u"]
    assert "unscored: s.json: task u: 2 test outputs for 1 test inputs" in section
