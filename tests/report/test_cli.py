"""`viachilena report DIR` rebuilds the report from the stored results."""

from viachilena.experiments.cli import main


def test_report_subcommand_builds_the_page(fresh_store, capsys):
    directory = fresh_store
    assert main(["report", str(directory)]) == 0
    assert (directory / "report.html").is_file()
    assert str(directory / "report.html") in capsys.readouterr().out


def test_report_of_a_folder_without_results_is_a_one_line_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "absent")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("viachilena: error:") and err.count("\n") == 1
