from generator.model import RecordingRule

BROKEN = RecordingRule(name="requests_per_second", expr="rate(requests_total[5m])")  # expect: level:metric:operation
