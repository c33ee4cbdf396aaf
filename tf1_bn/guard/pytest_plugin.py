"""pytest plugin (entry point `pytest11`): fail a test whose train ops do not run their update ops, or
whose Savers do not write the batch-norm statistics.

For migration regression tests of TF1 code. Three ways to switch it on:

    def test_training(update_ops_guard): ...          # the fixture
    @pytest.mark.update_ops_guard                       # the marker
    def test_training(): ...
    pytest --update-ops-guard                           # every test

While such a test runs, every train op built by a `tf.compat.v1.train` optimizer is recorded; when the
test function returns, each is checked with `tf1_bn.guard.assert_update_ops_attached`, and a missing
update op fails the test with MissingUpdateOpsError naming the variables and the fix. Every
`tf.compat.v1.train.Saver` built in the test is recorded too (`tf1_bn.guard.savers`) and checked with
`tf1_bn.guard.assert_statistics_saved`: before its first save (so the failing line is the save), else
when the test function returns unless it only restored; a missing statistic fails the test with
MissingStatisticsError.

It also serves the `tf1_migration` fixture (`tf1_bn.migrate.testing`): a fresh TF1 graph and Session
for the old model and the Keras-parity checks for its port, in a few lines:

    def test_port(tf1_migration):
        old = tf1_migration.restore("model.ckpt", tf.nn.relu)
        tf1_migration.check(old, my_keras_model, *tf1_migration.sample_batch(), learning_rate=0.01)

TensorFlow is imported only when a test uses one of these.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

_RECORDED = pytest.StashKey[list]()
_SAVERS = pytest.StashKey[Any]()


def pytest_addoption(parser: Any) -> None:
    parser.getgroup("tf1_bn").addoption(
        "--update-ops-guard", action="store_true", default=False,
        help="tf1_bn: fail every test whose TF1 train ops do not run their batch-norm update ops, or whose "
             "Savers do not write the batch-norm statistics",
    )


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "update_ops_guard: fail the test if a train op built in it does not run its update ops, or a "
                   "Saver built in it does not write the batch-norm statistics (tf1_bn)"
    )


def pytest_collection_modifyitems(config: Any, items: list) -> None:
    guard_all = config.getoption("--update-ops-guard")
    for item in items:
        if (guard_all or item.get_closest_marker("update_ops_guard")) and "update_ops_guard" not in item.fixturenames:
            item.fixturenames.append("update_ops_guard")


@pytest.fixture
def update_ops_guard(request: Any) -> Iterator[list]:
    """Record the train ops and the Savers the test builds; the train ops are checked right after the test
    function returns, the Savers before their first save or then."""
    from tf1_bn.guard import record_savers, record_train_ops

    with record_train_ops() as recorded, record_savers() as savers:
        request.node.stash[_RECORDED] = recorded
        request.node.stash[_SAVERS] = savers
        yield recorded


@pytest.fixture
def tf1_migration() -> Iterator[Any]:
    """A `tf1_bn.migrate.testing.Migration`, closed after the test."""
    from tf1_bn.migrate.testing import Migration

    with Migration() as migration:
        yield migration


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: Any) -> Iterator[None]:
    result = yield  # an exception from the test itself propagates from here unchanged
    recorded = item.stash.get(_RECORDED, None)
    if recorded:
        from tf1_bn.guard import check_recorded

        check_recorded(recorded)  # raising here fails the test (reported as FAILED, not ERROR)
    savers = item.stash.get(_SAVERS, None)
    if savers:
        savers.check_unused()
    return result
