"""The handler shape on its own: polkit fails closed; unexpected errors become incidents."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from svc_bus import start_system_bus

from netwright.backend.service.authority import LabAuthority, PolkitAuthority
from netwright.backend.service.calls import BusError, exported
from netwright.backend.service.errors import NotAuthorizedError


@pytest.fixture
def bus_without_polkit(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("nopolkit")
    bus, address = start_system_bus(Path(run_dir))
    yield address
    bus.stop()


async def test_polkit_unreachable_means_no(bus_without_polkit) -> None:
    bus = await MessageBus(bus_address=bus_without_polkit).connect()
    try:
        with pytest.raises(NotAuthorizedError, match=r"polkit answered .*ServiceUnknown"):
            await PolkitAuthority(bus).authorize(bus.unique_name or "", "io.netwright.apply")
    finally:
        bus.disconnect()


async def test_unknown_caller_is_refused_without_asking(bus_without_polkit) -> None:
    bus = await MessageBus(bus_address=bus_without_polkit).connect()
    try:
        with pytest.raises(NotAuthorizedError, match="caller is unknown"):
            await PolkitAuthority(bus).authorize("", "io.netwright.inspect")
    finally:
        bus.disconnect()


class Broken:
    """A handler owner whose handler fails in a way nobody planned for."""

    authority = LabAuthority()

    @exported("io.netwright.inspect")
    async def explode(self) -> str:
        return str(1 // 0)


async def test_unexpected_error_is_failed_with_an_incident_id(caplog) -> None:
    caplog.set_level(logging.ERROR, logger="netwrightd")
    with pytest.raises(BusError) as caught:
        await Broken().explode()
    error = caught.value
    assert error.name == "io.netwright.Error.Failed"
    incident = re.search(r"incident ([0-9a-f]{8})", error.message)
    assert incident is not None, error.message
    assert "Traceback" not in error.message and "ZeroDivision" not in error.message
    logged = [r for r in caplog.records if incident.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the full story is in the log"
