"""arc_core: the data model every other package shares.

Grid, Example, Task, Candidate; datasets by name; task identity by content and
the guard that keeps evaluation tasks out of training; augmentations with exact
inverses; ARC Prize scoring; the Kaggle submission format; output-size
prediction; the vote rule and what "fits" means; the Proposer and LLMClient
protocols. Imports no other package of the project.
"""

from .augment import Augmentation, sample_augmentations
from .candidate import BRANCHES, Candidate
from .datasets import (
    DATASETS, POOLS, Dataset, DatasetError, LoadError, Selection, is_dataset_name, load_dataset,
)
from .grid import Grid, GridError
from .identity import (
    EVALUATION_SPLITS, EvaluationOverlapError, Overlap, TaskIdentity, check_tuning_tasks,
    evaluation_overlaps, training_clean,
)
from .llm import LORA_TARGET_MODULES, LLMClient, LoRASpec, SamplingConfig
from .proposer import CLOCKS, Budget, ConfigError, Proposer, check_field
from .scoring import ScoreReport, TaskOutcome, score_outcomes, task_score
from .shape import predict_output_shapes
from .task import Example, Task, TaskError
from .votes import (
    AUGMENTED_FIT, TRAIN_FIT, VOTE_DIGITS, VoteTally, candidate_confidence, candidate_votes,
    program_fits, reports_fit, vote_order,
)

__all__ = [
    "CLOCKS",
    "Augmentation", "sample_augmentations", "BRANCHES", "Candidate", "DATASETS", "Dataset",
    "DatasetError", "LoadError", "Selection", "load_dataset", "POOLS", "is_dataset_name",
    "EVALUATION_SPLITS", "EvaluationOverlapError", "Overlap", "TaskIdentity", "check_tuning_tasks",
    "evaluation_overlaps", "training_clean", "Grid", "GridError", "LLMClient",
    "LoRASpec", "LORA_TARGET_MODULES", "SamplingConfig", "Budget", "ConfigError", "Proposer",
    "check_field", "ScoreReport",
    "TaskOutcome", "score_outcomes", "task_score", "predict_output_shapes", "Example", "Task",
    "TaskError", "AUGMENTED_FIT", "TRAIN_FIT", "VOTE_DIGITS", "VoteTally", "candidate_confidence",
    "candidate_votes", "program_fits", "reports_fit", "vote_order",
]
