"""A disk threshold beside the disk forecast: the plan's ALERT_RULES have no disk rule.

DiskAlmostFull is kube-prometheus' NodeFilesystemAlmostOutOfSpace in the plan's terms; the disk_free
forecast (forecasts.py) is meant to warn well before it (tests/e2e/test_early_warnings.py measures it).
"""

from generator.model import Alert, Example

from .metrics import HOST_OF_INSTANCE

DISK_ALMOST_FULL = Alert(
    name="DiskAlmostFull",
    # a read-only mount (a mounted snapshot, backup or image) is full by design and nothing can fill it further:
    # kube-prometheus' rule leaves it out too; a filesystem the kernel remounted read-only on errors is not a space
    # problem either
    expr='100 * node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"}'
         ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"} < 5'
         ' unless on (instance, device, mountpoint) node_filesystem_readonly == 1',
    **{"for": "5m"}, severity="critical", channels=("email", "slack", "webhook"), escalation="default",
    dashboard="Operations",
    summary='{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ printf "%.1f" $value }}% free (less than '
            '5%)',
    description="{{ $labels.mountpoint }} on {{ $labels.instance }} has had less than 5% of its space free for "
                "5 minutes; writes fail once it is full.",
    runbook=HOST_OF_INSTANCE + ". On that host, `du -xh --max-depth=2 {{ $labels.mountpoint }} | sort -h | tail` "
            "names what grew (the Operations dashboard's Disk Free and Time to Exhaustion panels show since when and "
            "how fast); delete or rotate logs and old data, or expand the volume.",
    examples=(
        Example(name="3% free for 6 minutes fires", at="6m", fires=True,
                series={'node_filesystem_avail_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}': "3x10",
                        'node_filesystem_size_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}': "100x10"},
                labels={"instance": "db-1", "fstype": "ext4", "mountpoint": "/data"}, value=3),
        Example(name="node-exporter restarted while the disk is full (2 minutes unscraped) keeps firing", at="12m",
                fires=True, labels={"instance": "db-1", "fstype": "ext4", "mountpoint": "/data"}, value=3,
                series={'node_filesystem_avail_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}': "3x6 _x2 3x10",
                        'node_filesystem_size_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}':
                        "100x6 _x2 100x10"}),
        Example(name="a full tmpfs does not", at="6m", fires=False,
                series={'node_filesystem_avail_bytes{instance="db-1",fstype="tmpfs",mountpoint="/run"}': "0x10",
                        'node_filesystem_size_bytes{instance="db-1",fstype="tmpfs",mountpoint="/run"}': "100x10"}),
        Example(name="a full read-only mount (a mounted snapshot or image) does not", at="6m", fires=False,
                series={'node_filesystem_avail_bytes{instance="db-1",device="/dev/sdb1",fstype="ext4",mountpoint="/backup"}':
                        "0x10",
                        'node_filesystem_size_bytes{instance="db-1",device="/dev/sdb1",fstype="ext4",mountpoint="/backup"}':
                        "100x10",
                        'node_filesystem_readonly{instance="db-1",device="/dev/sdb1",fstype="ext4",mountpoint="/backup"}':
                        "1x10"}),
        Example(name="20% free does not", at="6m", fires=False,
                series={'node_filesystem_avail_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}': "20x10",
                        'node_filesystem_size_bytes{instance="db-1",fstype="ext4",mountpoint="/data"}': "100x10"}),
    ),
)
