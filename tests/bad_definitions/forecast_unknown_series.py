from generator.model import Forecast

LOAD = Forecast(name="load", help="Load.", expr="avg(node_load5)", season="1d", history="7d")  # expect: forecast load reads 'node_load5', which no Metric or RecordingRule defines
