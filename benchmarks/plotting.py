"""One figure per benchmark plot: matplotlib when it is installed (the test extra), a note when not."""
import sys
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def figure_axis(path: Path, title: str):
    """Yields a matplotlib axis to draw on (or None without matplotlib); saves the figure to `path`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        yield None
        return
    figure, axis = plt.subplots(figsize=(8, 4.5))
    yield axis
    axis.set_title(title)
    axis.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
