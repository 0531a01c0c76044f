"""Colours Grafana draws: a name of its palette, a CSS colour name, or a CSS colour value.

Grafana looks a colour up in its palette and otherwise hands it to the browser as CSS; a misspelt name
(`"redd"`) is neither, and the browser draws nothing: a threshold step without a colour, a status without its red.
"""

import re
from typing import Annotated

from pydantic import AfterValidator

HUES = ("red", "orange", "yellow", "green", "blue", "purple")
SHADES = ("super-light-", "light-", "", "semi-dark-", "dark-")
PALETTE = frozenset({f"{shade}{hue}" for hue in HUES for shade in SHADES} | {"text", "transparent", "panel-bg"})
"""Grafana's named colours (packages/grafana-data/src/themes/createVisualizationColors.ts byNameIndex), looked up as
written: `Dark-Red` is no name of it, so Grafana hands it to the browser, which reads no CSS colour in it either."""
_CSS_NAMES = """
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown burlywood
cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray
darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue
firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray green greenyellow grey honeydew
hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue
mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise mediumvioletred
midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab orange orangered orchid
palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum powderblue purple
rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue
slateblue slategray slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
whitesmoke yellow yellowgreen
"""
CSS_NAMES = frozenset(_CSS_NAMES.split()) | {"transparent"}
"""CSS Color Module Level 4's named colours, and its keyword transparent (read in any case, as the names are)."""
CSS_VALUE = re.compile(r"#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|(?:rgba?|hsla?)\([^()]*\)", re.IGNORECASE)


def colour(value: str) -> str:
    """The colour as given, when Grafana or the browser can draw it; '' (the default where one is optional) too."""
    name = value.strip().lower()  # CSS reads its names in any case, Grafana its palette's only as written
    if not value or value.strip() in PALETTE or name in CSS_NAMES or CSS_VALUE.fullmatch(name):
        return value
    import difflib  # only for a refused colour: a build loads no difflib (tests/speed/test_cli_imports)

    close = difflib.get_close_matches(name, sorted(PALETTE), n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise ValueError(f"{value!r} is not a colour Grafana can draw; {hint}(Grafana's: {', '.join(HUES)}, each also "
                     "super-light-, light-, semi-dark- or dark-; text, transparent; a CSS colour name; #rrggbb; "
                     "rgb(...), rgba(...))")


Colour = Annotated[str, AfterValidator(colour)]
"""A colour Grafana can draw."""
