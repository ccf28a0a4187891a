"""arc_core: the data model every other package shares.

Grid, Example, Task, Candidate; datasets by name; augmentations with exact
inverses; ARC Prize scoring; the Kaggle submission format; output-size
prediction; the Proposer and LLMClient protocols. Imports no other package of
the project.
"""

from .augment import Augmentation, sample_augmentations
from .candidate import BRANCHES, Candidate
from .datasets import DATASETS, Dataset, DatasetError, LoadError, Selection, load_dataset
from .grid import Grid, GridError
from .llm import LORA_TARGET_MODULES, LLMClient, LoRASpec, SamplingConfig
from .proposer import CLOCKS, Budget, ConfigError, Proposer, check_field
from .scoring import ScoreReport, TaskOutcome, score_outcomes, task_score
from .shape import predict_output_shapes
from .task import Example, Task, TaskError

__all__ = [
    "CLOCKS",
    "Augmentation", "sample_augmentations", "BRANCHES", "Candidate", "DATASETS", "Dataset",
    "DatasetError", "LoadError", "Selection", "load_dataset", "Grid", "GridError", "LLMClient",
    "LoRASpec", "LORA_TARGET_MODULES", "SamplingConfig", "Budget", "ConfigError", "Proposer",
    "check_field", "ScoreReport",
    "TaskOutcome", "score_outcomes", "task_score", "predict_output_shapes", "Example", "Task",
    "TaskError",
]
