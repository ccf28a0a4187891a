"""``--allow-weak-sandbox``: the one way, on the command line, to run LLM-written programs where
the sandbox's OS layers do not all hold; it reaches the sandbox's config and nothing else."""

from __future__ import annotations

from ensemble.cli import build_parser, proposer_options
from induction.llm.proposer import LLMInductionConfig


def test_the_sandbox_is_strict_unless_the_flag_is_given():
    args = build_parser().parse_args(["solve"])
    assert not args.allow_weak_sandbox and proposer_options(args.option) == {}
    assert not LLMInductionConfig().sandbox().allow_weak_isolation


def test_the_flag_reaches_llm_inductions_sandbox():
    args = build_parser().parse_args(["solve", "--allow-weak-sandbox",
                                      "--option", "llm-induction.samples=4"])
    options = proposer_options(args.option, args.allow_weak_sandbox)
    assert options == {"llm-induction": {"allow_weak_sandbox": True, "samples": 4}}
    config = LLMInductionConfig.from_options(options["llm-induction"])
    assert config.sandbox().allow_weak_isolation
