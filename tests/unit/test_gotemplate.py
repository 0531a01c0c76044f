import pytest

from generator.core.gotemplate import TemplateError, go_float, readable, render


@pytest.mark.parametrize(("value", "text"), [(95, "95"), (0.02, "0.02"), (1e6, "1e+06"), (123456, "123456"),
                                             (1e-5, "1e-05"), (-3.25, "-3.25")])
def test_floats_print_as_go_prints_them(value: float, text: str) -> None:
    assert go_float(value) == text


def test_labels_and_value_render() -> None:
    assert render("{{ $labels.instance }} at {{ $value }}", {"instance": "a"}, 95.5) == "a at 95.5"
    assert render('{{ printf "%.1f" $value }}%', {}, 95.44) == "95.4%"


def test_missing_label_prints_like_go() -> None:
    assert render("{{ $labels.nope }}", {}, None) == "<no value>"


def test_unsupported_actions_are_refused() -> None:
    with pytest.raises(TemplateError, match="cannot be predicted"):
        render("{{ $value | humanize }}", {}, 1.0)


def test_a_with_block_shows_a_label_only_where_the_alert_has_it() -> None:
    template = "{{ $labels.forecast }}{{ with $labels.mountpoint }} {{ . }}{{ end }} on {{ $labels.instance }}"
    assert render(template, {"forecast": "disk_free", "mountpoint": "/data", "instance": "db-1"}, None) == \
        "disk_free /data on db-1"
    assert render(template, {"forecast": "memory_used", "instance": "db-1"}, None) == "memory_used on db-1"
    assert readable(template) == "<forecast> <mountpoint> on <instance>"
