"""The worker's loaded app stays frozen (out of full collections) through bulk jobs."""
import gc

from app.core.bulk import gc_paused
from app.core.heap import freeze_loaded_app


def test_a_bulk_job_does_not_unfreeze_the_loaded_app():
    assert gc.get_freeze_count() == 0
    try:
        frozen = freeze_loaded_app()
        assert frozen > 0
        with gc_paused():
            assert not gc.isenabled()
        # gc_paused used to unfreeze everything: the app's objects were back in every full pass.
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_without_a_frozen_app_a_bulk_job_leaves_nothing_frozen():
    assert gc.get_freeze_count() == 0
    with gc_paused():
        assert gc.get_freeze_count() > 0 and not gc.isenabled()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
