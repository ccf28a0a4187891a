"""The run directory refuses what is not a run of ours, and resumes only the same settings."""

from __future__ import annotations

import json

import pytest

from ensemble.rundir import CONFIG, RunDir, RunDirError

SETTINGS = {"dataset": "d", "solutions": None, "selection": {}, "proposers": ["dsl"], "proposer_options": {},
            "budget_s": 1.0, "seed": 0, "ranking": "auto", "verifier": None, "router": None,
            "llm_engine": None, "llm_endpoint": None}


def test_out_naming_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("mine")
    with pytest.raises(RunDirError, match="is a file"):
        RunDir(f).start(SETTINGS, resume=False)
    assert f.read_text() == "mine"


def test_a_directory_of_someone_elses_files_is_not_overwritten(tmp_path):
    (tmp_path / CONFIG).write_text('{"theirs": true}')
    with pytest.raises(RunDirError, match="not a run of arc-ensemble"):
        RunDir(tmp_path).start(SETTINGS, resume=False)
    assert json.loads((tmp_path / CONFIG).read_text()) == {"theirs": True}
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "notes.txt").write_text("keep")
    with pytest.raises(RunDirError, match="notes.txt"):
        RunDir(other).start(SETTINGS, resume=True)


def test_resume_refuses_any_answer_changing_setting_and_names_it(tmp_path):
    RunDir(tmp_path).start(SETTINGS, resume=False)
    for key, value in [("proposer_options", {"dsl": {"max_depth": 2}}), ("ranking", "vote"),
                       ("verifier", "/other.json"), ("router", "/r.json")]:
        with pytest.raises(RunDirError, match=key):
            RunDir(tmp_path).start({**SETTINGS, key: value}, resume=True)
    assert RunDir(tmp_path).start(SETTINGS, resume=True) == set()


def test_a_corrupt_config_or_a_directory_that_is_no_run_is_one_error(tmp_path):
    RunDir(tmp_path).start(SETTINGS, resume=False)
    (tmp_path / CONFIG).write_text("{torn")
    with pytest.raises(RunDirError, match="unreadable"):
        RunDir(tmp_path).start(SETTINGS, resume=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RunDirError, match="not a run directory"):
        RunDir(empty).config()


def test_retry_errors_unfinishes_only_the_rows_with_an_error(tmp_path):
    run = RunDir(tmp_path)
    run.start(SETTINGS, resume=False)
    run.append_task({"task_id": "ok", "status": "ok", "proposer_errors": {}}, [{"task_id": "ok", "grid": [[1]]}])
    run.append_task({"task_id": "bad", "status": "error", "error": "boom"}, [])
    # one proposer timed out, the other answered: the row is not what an idle machine gives
    run.append_task({"task_id": "partial", "status": "ok", "proposer_errors": {"b": "timeout: no result after 80 s"}},
                    [{"task_id": "partial", "grid": [[2]]}])
    assert RunDir(tmp_path).start(SETTINGS, resume=True) == {"ok", "bad", "partial"}
    assert run.failed_tasks() == {"bad", "partial"}
    assert RunDir(tmp_path).start(SETTINGS, resume=True, retry_errors=True) == {"ok"}
    assert [r["task_id"] for r in run.results()] == ["ok"]  # the rows are gone, to be replaced
    assert [c["task_id"] for c in run.candidates()] == ["ok"]
