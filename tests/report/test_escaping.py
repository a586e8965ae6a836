"""Names from experiment files are escaped in the page and in the Markdown."""


def test_script_scenario_name_is_escaped_in_html(report_of):
    page = (report_of("scenarios") / "report.html").read_text()
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_script_scenario_name_is_escaped_in_markdown(report_of):
    text = (report_of("scenarios") / "report.md").read_text()
    assert "<script" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
