"""The command line speaks Chinese, argparse's own words included."""

from __future__ import annotations

import pytest

from bot.cli import main


def test_help_lists_the_columns_and_date_forms(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["records", "import", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：govinfo-bot records import")
    assert "显示本帮助并退出" in out and "选项" in out
    for column in ("date 日期", "unit 单位", "item 项目", "count 数量", "modifiers 批示"):
        assert column in out
    for form in ("2024/5/6", "2024年5月6日", "20240506", "5月6日"):
        assert form in out
    assert "usage" not in out.lower() and "show this help" not in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["quota", "settle"], "错误：缺少参数：--month"),
        (["nonsense"], "无效的选项 'nonsense'"),
        (["records", "import", "a.csv", "--skip-existing", "--allow-duplicates"], "不能与"),
        (["standings", "--period", "2024", "--format", "pdf"], "无效的选项 'pdf'"),
    ],
)
def test_usage_errors_in_chinese(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.startswith("用法：")
    assert "error" not in err and "usage" not in err
