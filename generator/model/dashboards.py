"""Dashboards: template variables, rows of panels, refresh, time range, folder; and Grafana's data sources."""

import re
from typing import Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator

from generator.core.duration import Duration
from generator.model.base import Definition, Model, checked
from generator.model.identity import GRAFANA_UID, MAX_UID, dashboard_uid, panel_id
from generator.model.panels import VERBATIM, Panel, PanelLink, Row
from generator.model.rulesets import valid_metric_name

VARIABLE_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
LabelName = Annotated[str, checked(VARIABLE_NAME.match, "a valid label name")]
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$")
Theme = Literal["light", "dark", "auto"]


class DatasourceVariable(Model):
    """Lets viewers switch between data sources of one type; queries reference it as ${name}."""

    kind: Literal["datasource"] = "datasource"
    name: str = Field(default="datasource", description="Variable name.")
    label: str = Field(default="Data source", description="Label shown on the dashboard.")
    type: Literal["prometheus", "loki", "tempo"] = Field(default="prometheus", description="Data source plugin.")
    default: str = Field(default="prometheus", description="uid selected by default (a provisioned data source).")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("variable"))


class QueryVariable(Model):
    """Values read from Prometheus, e.g. label_values(up, job)."""

    kind: Literal["query"] = "query"
    name: str = Field(description="Variable name, used as $name in queries.")
    label: str = Field(default="", description="Label shown on the dashboard.")
    query: str = Field(min_length=1, description="label_values(selector, label) or another Prometheus query.")
    multi: bool = Field(default=True, description="Several values may be selected.")
    include_all: bool = Field(default=True, description="Offer an 'All' option.")
    all_value: str | None = Field(default=".*", description="Regex sent for 'All' (use with =~ matchers); None "
                                                            "sends every value offered, as Grafana does without one.")
    regex: str = Field(default="", description="Regex filtering the values.")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("variable"))


class _FixedChoices(Model):
    """What custom and interval variables share: a fixed list of values, one of them selected at first."""

    options: tuple[str, ...] = Field(min_length=1, description="The values offered.")
    default: str = Field(default="", description="Selected value; the first option when empty.")

    def offered(self) -> tuple[str, ...]:
        """Every value a viewer can pick."""
        return self.options

    @model_validator(mode="after")
    def _default_is_an_option(self) -> Self:
        if self.default and self.default not in self.offered():
            raise ValueError(f"default {self.default!r} is not one of {list(self.offered())}")
        return self

    @property
    def selected(self) -> str:
        """The value selected when the dashboard opens."""
        return self.default or self.options[0]


class CustomVariable(_FixedChoices):
    """A fixed list of values."""

    kind: Literal["custom"] = "custom"
    name: str = Field(description="Variable name, used as $name in queries.")
    label: str = Field(default="", description="Label shown on the dashboard.")
    multi: bool = Field(default=False, description="Several values may be selected.")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("variable"))


class IntervalVariable(_FixedChoices):
    """A choice of time spans for range selectors, e.g. rate(x[$interval])."""

    kind: Literal["interval"] = "interval"
    name: str = Field(description="Variable name, used as $name in queries.")
    label: str = Field(default="", description="Label shown on the dashboard.")
    options: tuple[Duration, ...] = Field(min_length=1, description="The spans offered.")
    auto: bool = Field(default=False, description="Also offer 'auto': the range divided into auto_count steps.")
    auto_count: int = Field(default=30, ge=1, description="Steps 'auto' divides the time range into.")
    auto_min: Duration = Field(default="10s", description="Shortest span 'auto' picks.")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("variable"))

    def offered(self) -> tuple[str, ...]:
        """Every span a viewer can pick, 'auto' included when offered."""
        return (*self.options, "auto") if self.auto else self.options


class VerbatimVariable(Model):
    """A variable of a kind obsgen does not model (text box, constant, ad hoc filters), written as given."""

    kind: Literal["verbatim"] = "verbatim"
    name: str = Field(description="Variable name, used as $name in queries.")
    document: dict[str, Any] = Field(description="The variable's Grafana JSON, as written.")
    value: str = Field(default="", description="Value queries are checked with: its current value.")


Variable = DatasourceVariable | QueryVariable | CustomVariable | IntervalVariable | VerbatimVariable


def job_variable(metric: str = "up") -> QueryVariable:
    """$job: every job that exports `metric`."""
    return QueryVariable(name="job", label="Job", query=f"label_values({metric}, job)")


def instance_variable(metric: str = "up", job: str = "") -> QueryVariable:
    """$instance: the instances of the jobs $job selects (so beside job_variable()), or of the one `job` named: a
    team's dashboard of its own service, which has no $job to define."""
    selector = f'job="{job}"' if job else 'job=~"$job"'
    return QueryVariable(name="instance", label="Instance", query=f"label_values({metric}{{{selector}}}, instance)")


class Dashboard(Definition):
    """A Grafana dashboard; its uid and panel ids derive from names, so rebuilds are byte-identical."""

    name: str = Field(min_length=1, description="Name alerts refer to (Alert.dashboard); the uid derives from it.")
    title: str = Field(default="", description="Title shown; the name when empty.")
    description: str = Field(default="", description="Who looks at it and for what (required; an imported dashboard, "
                                                     "lint=False, keeps the one it had, or none).")
    folder: str = Field(default="General", description="Grafana folder (a directory under grafana/dashboards).")
    tags: tuple[str, ...] = Field(default=(), description="Dashboard tags.")
    refresh: Duration | None = Field(default=None, description="Auto-refresh interval; None disables it.")
    time_range: Duration = Field(default="6h", description="Default range: from now-<range> to now.")
    variables: tuple[Variable, ...] = Field(default=(), validate_default=True,
                                            description="Template variables; a datasource one is added.")
    panels: tuple[Panel, ...] = Field(default=(), description="Panels above the first row.")
    rows: tuple[Row, ...] = Field(default=(), description="Rows of panels, in order.")
    links: tuple[PanelLink, ...] = Field(default=(), description="Links in the dashboard header.")
    themes: tuple[Theme, ...] = Field(default=(), description="The plan's themes; Grafana has no per-dashboard one.")
    lists_all_alerts: bool = Field(default=False, description="List every alert (an overview), not only its own.")
    plan_name: str = Field(default="", description="The plan's name for it, kept findable.")
    grafana_uid: str = Field(default="", description="Grafana uid when it must not derive from the name (an imported "
                                                     "dashboard keeps its own, so links and bookmarks still work).")
    external_series: tuple[str, ...] = Field(
        default=(), description="Series the queries read that systems outside definitions/ export (as RuleSet's).")
    lint: bool = Field(default=True, description="Run the dashboard lint on it (`obsgen import` turns it off: an "
                                                  "imported dashboard is kept as written, as imported rules are).")
    extra: dict[str, Any] = Field(default_factory=dict, description=VERBATIM.format("dashboard"))

    @field_validator("variables", mode="after")
    @classmethod
    def _with_datasource(cls, variables: tuple[Variable, ...]) -> tuple[Variable, ...]:
        if not any(isinstance(v, DatasourceVariable) for v in variables):
            variables = (DatasourceVariable(), *variables)
        names = [v.name for v in variables]
        for name in names:
            if not VARIABLE_NAME.match(name) or name.startswith("__"):
                raise ValueError(f"variable name {name!r} is invalid (letters, digits, _; no leading __)")
        if len(set(names)) != len(names):
            raise ValueError(f"variable names {names} contain duplicates")
        return variables

    @field_validator("grafana_uid")
    @classmethod
    def _grafana_uid(cls, uid: str) -> str:
        if uid and not GRAFANA_UID.match(uid):
            raise ValueError(f"grafana_uid {uid!r} must be 1 to {MAX_UID} letters, digits, '-' or '_'")
        return uid

    @field_validator("external_series")
    @classmethod
    def _series_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(valid_metric_name(name, "external series") for name in names)

    @field_validator("folder")
    @classmethod
    def _folder(cls, folder: str) -> str:
        if not FOLDER_NAME.match(folder):
            raise ValueError(f"folder {folder!r} must start with a letter or digit and use letters, digits, ' _.-'")
        return folder

    @model_validator(mode="after")
    def _unique_panels(self) -> Self:
        if not self.description and self.lint:  # an imported one gains none: re-exported, it would have changed
            raise ValueError(f"dashboard {self.name!r} has no description: say who looks at it and for what")
        if not self.panels and not self.rows:
            raise ValueError(f"dashboard {self.name!r} has no panels")
        seen: dict[int, str] = {}
        titles = [p.title for p in self.all_panels] + [r.title for r in self.rows]
        for title in titles:
            ident = panel_id(title)
            if ident in seen:
                what = "is used twice" if seen[ident] == title else f"has the same id as {seen[ident]!r}"
                raise ValueError(f"panel or row title {title!r} {what}; rename one")
            seen[ident] = title
        return self

    @property
    def uid(self) -> str:
        """Grafana uid: grafana_uid if given, else derived from the name."""
        return self.grafana_uid or dashboard_uid(self.name)

    @property
    def display_title(self) -> str:
        """The title Grafana shows."""
        return self.title or self.name

    @property
    def all_panels(self) -> tuple[Panel, ...]:
        """Every panel, top ones first, then each row's."""
        return self.panels + tuple(p for row in self.rows for p in row.panels)

    @property
    def datasource_variable(self) -> DatasourceVariable:
        """The Prometheus data source variable every query uses."""
        return next(v for v in self.variables if isinstance(v, DatasourceVariable))


class GrafanaSettings(Definition):
    """Where Grafana finds each data source, and the field that links logs, metrics and traces."""

    name: str = Field(default="grafana", description="Settings name.")
    prometheus_url: str = Field(default="http://prometheus:9090", description="Prometheus as Grafana reaches it.")
    alertmanager_url: str = Field(default="http://alertmanager:9093", description="Alertmanager URL.")
    loki_url: str = Field(default="http://loki:3100", description="Loki URL.")
    tempo_url: str = Field(default="http://tempo:3200", description="Tempo URL.")
    trace_id_label: LabelName = Field(default="trace_id", description=(
        "Exemplar label holding trace ids in the services' metrics (the collector's span metrics say trace_id, "
        "Tempo's traceID: both are linked). Log lines link by the trace id Loki keeps for each record."))
    service_label: LabelName = Field(default="service", description="Label naming the service in metrics and logs.")
    dashboards_path: str = Field(default="/etc/grafana/dashboards",
                                 description="Where out/grafana/dashboards is mounted in the Grafana container.")


