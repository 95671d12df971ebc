"""The loaded app's objects kept out of the garbage collector's full passes.

A worker's modules, SQLAlchemy metadata, templates and catalogs (~150 000 tracked objects) live
as long as the worker. Left in the collector's oldest generation, every full collection walks
them again; a view that allocates as much as the dashboard at 1 000 units (ORM rows, counts,
rows of the tables) sets one off every second request, which doubled its time (~90 → ~190 ms at
1 000 000 invitations on PostgreSQL). Frozen once the app is loaded, they are never scanned
(gc.freeze); garbage made later is collected as before.
"""
import gc


def freeze_loaded_app() -> int:
    """Freeze every object alive now (call once, after the app is loaded); returns how many are frozen."""
    gc.collect()  # what is already garbage is not kept for ever
    gc.freeze()
    return gc.get_freeze_count()
