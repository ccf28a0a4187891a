"""Candidate records (validation, JSON round trip) and the small configs and
protocols of arc_core (Budget, SamplingConfig, Proposer, LLMClient)."""

from __future__ import annotations

import json

import pytest

from arc_core import (
    BRANCHES,
    Budget,
    Candidate,
    ConfigError,
    Grid,
    LLMClient,
    LoRASpec,
    Proposer,
    SamplingConfig,
    Task,
)


def _candidate(**kw):
    fields = dict(
        task_id="0a1b2c3d",
        test_index=1,
        grid=Grid([[1, 2], [3, 4]]),
        branch="induction",
        proposer="dsl",
        provenance={"program": "flip(x)", "seed": 3},
        features={"votes": 4, "confidence": 0.75, "exact": True, "logprob": None},
        score=0.5,
    )
    fields.update(kw)
    return Candidate(**fields)


def _fields(c):
    return (c.task_id, c.test_index, c.grid, c.branch, c.proposer,
            dict(c.provenance), dict(c.features), c.score)


@pytest.mark.parametrize("correct", [None, True, False])
def test_json_round_trip(correct):
    c = _candidate()
    row = json.loads(json.dumps(c.to_json(correct=correct)))
    assert row["correct"] is correct
    assert row["grid"] == [[1, 2], [3, 4]]
    assert _fields(Candidate.from_json(row)) == _fields(c)


def test_json_round_trip_unscored_transduction():
    c = _candidate(branch="transduction", proposer="ttt-net", provenance={}, features={}, score=None)
    assert _fields(Candidate.from_json(c.to_json())) == _fields(c)


def test_from_json_validates_grid():
    row = _candidate().to_json()
    row["grid"] = [[1, 2], [3]]
    with pytest.raises(ValueError, match="ragged"):
        Candidate.from_json(row)


def test_from_json_missing_optional_fields():
    row = {"task_id": "t", "test_index": 0, "grid": [[5]], "branch": "induction", "proposer": "p"}
    c = Candidate.from_json(row)
    assert (dict(c.provenance), dict(c.features), c.score) == ({}, {}, None)


@pytest.mark.parametrize("branch", ["", "Induction", "router", "both", None])
def test_invalid_branch_raises(branch):
    with pytest.raises(ValueError, match="branch"):
        _candidate(branch=branch)
    row = _candidate().to_json()
    row["branch"] = branch
    with pytest.raises(ValueError, match="branch"):
        Candidate.from_json(row)


def test_branches():
    assert BRANCHES == ("induction", "transduction")


def test_negative_test_index_raises():
    with pytest.raises(ValueError, match="test_index"):
        _candidate(test_index=-1)


def test_grid_must_be_a_grid():
    with pytest.raises(TypeError, match="Grid"):
        _candidate(grid=[[1, 2], [3, 4]])


def test_with_score_and_features_return_new_records():
    c = _candidate()
    scored = c.with_score(0.9)
    assert scored.score == 0.9 and c.score == 0.5
    extra = c.with_features(train_fit=1.0, votes=7)
    assert extra.features == {**c.features, "train_fit": 1.0, "votes": 7}
    assert c.features["votes"] == 4
    with pytest.raises(AttributeError):
        c.score = 1.0  # type: ignore[misc]


# ---- configs and protocols ----------------------------------------------------------------------


def test_budget_defaults_and_validation():
    assert Budget().seconds > 0
    assert Budget(seconds=0.5, seed=9).seed == 9
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ConfigError, match="Budget.seconds"):
            Budget(seconds=bad)


@pytest.mark.parametrize(
    "field,value",
    [("n", 0), ("temperature", -0.1), ("top_p", 0.0), ("top_p", 1.5), ("max_tokens", 0)],
)
def test_sampling_config_validation_names_field(field, value):
    with pytest.raises(ConfigError, match=f"SamplingConfig.{field}"):
        SamplingConfig(**{field: value})


def test_sampling_config_accepts_greedy():
    assert SamplingConfig(n=4, temperature=0.0, top_p=1.0, max_tokens=1).temperature == 0.0


class _EchoProposer:
    name = "echo"
    branch = "transduction"

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        return [
            Candidate(task.id, i, g, self.branch, self.name, features={"votes": 1, "confidence": 1.0})
            for i, g in enumerate(task.test_inputs)
        ]


class _FakeClient:
    model = "tiny"

    def generate(self, prompts, sampling, lora=None):
        return [[p[::-1]] * sampling.n for p in prompts]

    def score(self, prompts, continuations, lora=None):
        return [-float(len(c)) for c in continuations]


def test_protocols_are_runtime_checkable(make_task):
    assert isinstance(_EchoProposer(), Proposer)
    assert not isinstance(object(), Proposer)
    assert isinstance(_FakeClient(), LLMClient)
    assert not isinstance(_EchoProposer(), LLMClient)
    task = Task.from_json("t", make_task(n_test=2)).without_truth()
    out = _EchoProposer().propose(task, Budget(1.0))
    assert [c.test_index for c in out] == [0, 1]
    client = _FakeClient()
    assert client.generate(["ab"], SamplingConfig(n=2), LoRASpec("a", "/x")) == [["ba", "ba"]]
