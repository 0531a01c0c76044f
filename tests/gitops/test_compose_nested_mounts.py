"""No compose service mounts anything inside one of its read-only mounts unless the source already holds the
mount point: runc creates a missing mount point through the parent mount, and a read-only one refuses it
("mkdir ...: read-only file system", moby/moby#39587, docker/for-linux#128), so the container never starts."""

from __future__ import annotations

from tests.gitops.compose_mounts import compose_document, mounts, nested_in_read_only


def test_no_service_mounts_inside_a_read_only_mount_lacking_the_mount_point() -> None:
    compose = compose_document()
    assert any(mount.read_only for service in compose["services"].values() for mount in mounts(service))
    assert nested_in_read_only(compose) == []


def test_a_mount_inside_a_read_only_mount_of_out_is_found() -> None:
    """The layout the Alertmanagers once had: their credentials mounted inside the read-only out/alertmanager."""
    compose = compose_document()
    services = compose["services"]
    services["alertmanager-1"]["volumes"].append("./secrets/alertmanager:/etc/alertmanager/secrets:ro")
    services["loki"]["volumes"].append("./secrets/loki:/etc/loki/rules/fake:ro")  # out/loki/rules holds fake/
    services["prometheus"]["volumes"].append({"type": "volume", "source": "certs", "target": "/prometheus/certs"})
    services["tempo"]["volumes"].append("certs:/var/tempo-certs:ro")
    services["tempo"]["volumes"].append("./secrets/tempo:/var/tempo-certs/ca:ro")
    assert nested_in_read_only(compose) == [
        "alertmanager-1: /etc/alertmanager/secrets is mounted inside the read-only mount of ../out/alertmanager at "
        "/etc/alertmanager, which holds no secrets: the runtime cannot create the mount point",
        "tempo: /var/tempo-certs/ca is mounted inside the read-only mount of certs at /var/tempo-certs, which holds "
        "no ca: the runtime cannot create the mount point",
    ]
