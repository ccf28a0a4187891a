"""Model files: exact predictions after a JSON round trip; every bad file is refused in one line."""

import json
import os
import pickle

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from verifier.modelfile import (
    ModelFile, ModelFileError, TreeEnsemble, read_model_file, write_model_file,
)

NAMES = ("a", "b", "c")


def _fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    X[rng.random(300) < 0.2, 1] = np.nan  # missing values must route like sklearn's
    y = (X[:, 0] + np.nan_to_num(X[:, 1]) > 0.3).astype(int)
    clf = HistGradientBoostingClassifier(max_iter=15, early_stopping=False, random_state=0)
    with threadpool_limits(limits=1, user_api="openmp"):
        return clf.fit(X, y), X, clf.predict_proba(X)[:, 1]


@pytest.fixture(scope="module")
def fitted():
    return _fitted()


@pytest.fixture(scope="module")
def ens(fitted):
    return TreeEnsemble.from_sklearn(fitted[0])


def _write(path, ensemble, **over):
    model = ModelFile("verifier", "v1", NAMES, {"correct": ensemble}, {"note": "test"})
    write_model_file(path, model)
    if over:
        data = json.loads(path.read_text())
        data.update(over)
        path.write_text(json.dumps(data))
    return path


def _read(path):
    return read_model_file(path, "verifier", "v1", NAMES, ["correct"])


def test_numpy_prediction_equals_sklearn_after_round_trip(tmp_path, fitted):
    clf, X, expected = fitted
    path = _write(tmp_path / "m.json", TreeEnsemble.from_sklearn(clf))
    loaded = _read(path).models["correct"]
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=0, atol=1e-12)
    assert _read(path).metadata == {"note": "test"}


def test_same_model_gives_same_bytes(tmp_path, fitted):
    a = _write(tmp_path / "a.json", TreeEnsemble.from_sklearn(fitted[0]))
    b = _write(tmp_path / "b.json", TreeEnsemble.from_sklearn(_fitted()[0]))
    assert a.read_bytes() == b.read_bytes()


def _assert_refused(path, fragment):
    with pytest.raises(ModelFileError) as err:
        _read(path)
    message = str(err.value)
    assert str(path) in message and fragment in message and "\n" not in message


def test_truncated_file_is_refused(tmp_path, ens):
    path = _write(tmp_path / "m.json", ens)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    _assert_refused(path, "truncated")


def test_missing_file_and_binary_garbage_are_refused(tmp_path):
    _assert_refused(tmp_path / "absent.json", "cannot read")
    junk = tmp_path / "junk.json"
    junk.write_bytes(bytes(range(256)))
    _assert_refused(junk, "not UTF-8")


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_payload_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    payload = _Payload()
    payload.marker = marker
    path = tmp_path / "evil.json"
    path.write_bytes(pickle.dumps(payload))
    _assert_refused(path, "not a usable verifier model file")
    assert not marker.exists()


def test_json_with_object_hints_is_just_data(tmp_path, ens):
    path = _write(tmp_path / "m.json", ens, models={"correct": {"py/object": "os.system", "trees": 1}})
    _assert_refused(path, "no tree list")


@pytest.mark.parametrize(
    "override, fragment",
    [
        ({"format_version": 2}, "format version 2"),
        ({"kind": "router"}, "holds a 'router' model"),
        ({"feature_version": "v0"}, "features 'v0'"),
        ({"feature_names": ["a", "c", "b"]}, "feature name list differs"),
        ({"format": "pickle"}, "missing format tag"),
        ({"models": {}}, "expected models"),
    ],
)
def test_mismatched_header_is_refused(tmp_path, ens, override, fragment):
    _assert_refused(_write(tmp_path / "m.json", ens, **override), fragment)


def _tamper_tree(path, key, value):
    data = json.loads(path.read_text())
    data["models"]["correct"]["trees"][0][key] = value
    path.write_text(json.dumps(data))


def test_tree_that_could_loop_or_index_out_of_range_is_refused(tmp_path, ens):
    path = _write(tmp_path / "m.json", ens)
    _tamper_tree(path, "left", [0] * len(json.loads(path.read_text())["models"]["correct"]["trees"][0]["left"]))
    _assert_refused(path, "child index")
    path = _write(tmp_path / "n.json", ens)
    n = len(json.loads(path.read_text())["models"]["correct"]["trees"][0]["feature"])
    _tamper_tree(path, "feature", [7] * n)
    _assert_refused(path, "feature index out of range")
    path = _write(tmp_path / "o.json", ens)
    _tamper_tree(path, "value", ["x"] * n)
    _assert_refused(path, "non-numeric")


def test_non_finite_numbers_are_refused(tmp_path, ens):
    path = _write(tmp_path / "m.json", ens)
    path.write_text(path.read_text().replace('"baseline":', '"baseline":NaN,"x":', 1))
    _assert_refused(path, "non-finite")
