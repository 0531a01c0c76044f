"""The codes of the problems the loader reports itself, before any check runs (listed with the checks).

Each is documented like a check; they cannot be disabled, since nothing can be checked of a definition that
could not be built.
"""

from __future__ import annotations

from generator.core.errors import Code, Level

PYTHON_ERROR = "LD001"
INVALID_VALUE = "LD002"
ONE_REQUIRED = "LD003"
FOREIGN_OBJECT = "LD004"
OVERRIDE_TARGET = "LD005"
PROFILE_IN_DEFINITIONS = "LD006"

CODES: tuple[Code, ...] = (
    Code(PYTHON_ERROR, "python-error", Level.ERROR, """A definitions module does not run.

A syntax error, an exception raised by the module's own code, a module that is not UTF-8, or a module that
calls `sys.exit()`. The statement that failed is reported at its line; the rest of the module still runs, so
every other problem is found in the same build. Names the failed statement would have defined are not reported
again where they are used.

Fix: correct the Python at the line given."""),
    Code(INVALID_VALUE, "invalid-value", Level.ERROR, """A model rejects the value given to one of its fields.

Every definition is validated when it is constructed: a duration that does not parse (`after="3x"`), a
comparison operator that does not exist, a name that breaks a naming rule. The line is the one of the field's
keyword, and the message says what the field accepts. Once every module has run, an alert's or recording rule's
`group` is refused the same way where obsgen writes a group of that name itself (an escalation policy's
`escalation-...`, an SLO's `slo-<slug>`, an aggregation policy's `aggregation-<policy>-<window>`, a rule set's
`ruleset-<name>`): its rules would share that group's file, evaluation and promtool tests.

Fix: give the field a value of the form the message describes."""),
    Code(ONE_REQUIRED, "one-required", Level.ERROR, """A project defines exactly one Stack and one AlertingConfig.

They describe the deployment and who is told; targets cannot be rendered without them, and two would contradict
each other.

Fix: define the missing one (`obsgen init` writes a minimal project), or remove the second."""),
    Code(FOREIGN_OBJECT, "foreign-object", Level.ERROR, """A dashboard written with another tool cannot be adopted.

A grafanalib `Dashboard` assigned in definitions/ is converted into the model; this is reported when its JSON
does not convert (a panel the model cannot hold).

Fix: correct the grafanalib object, or import its JSON with `obsgen import`."""),
    Code(OVERRIDE_TARGET, "override-target", Level.ERROR, """An AlertOverride names a rule set or alert not there.

Overrides are applied to imported rule sets while the project is built, so a re-import does not undo them; one
that matches nothing would silently change nothing. The message lists the close names when there are any.

Fix: name the rule set and alert as `obsgen list` shows them, or correct `match_labels`."""),
    Code(PROFILE_IN_DEFINITIONS, "profile-in-definitions", Level.ERROR, """A build profile is assigned in definitions/.

A `Profile` changes a loaded project for one run: `obsgen up` makes its own for the stack it starts (the releases
installed where it runs, its ports and time scale), and tests pass theirs to `apply()`. `obsgen build` writes out/
from the definitions alone, so a profile written among them would change nothing, and out/ would be deployed
without what it was meant to change. It is an error, not a warning, for the reason an override matching nothing is
(LD005): the build would otherwise succeed with out/ other than its author expects.

    PROD = Profile(scrape_interval="5s", sink_url="http://sink:8080")

Fix: set what it changes on the definitions themselves (`Stack`, its `ScrapeJob`s, the channels). A profile a
test uses belongs with the tests, or under a name starting with `_`, which the loader skips."""),
)
