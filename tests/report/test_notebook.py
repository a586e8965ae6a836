"""The notebook in docs/notebooks/ runs on a stored experiment folder and redraws a figure from its CSV."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "notebooks" / "redraw_a_figure.ipynb"


def test_notebook_redraws_a_figure_from_a_stored_folder(report_of, tmp_path, monkeypatch):
    folder = report_of("scenarios")
    monkeypatch.setenv("VIACHILENA_RUN_FOLDER", str(folder))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    assert "synthetic 9 runs" in outputs
    assert (tmp_path / "gdp_restyled.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "gdp_restyled.pdf").read_bytes()[:5] == b"%PDF-"
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
