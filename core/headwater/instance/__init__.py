"""The instance: one installation's storage, settings and files (`Instance`)."""

from headwater.instance.config import InstanceSettings
from headwater.instance.instance import DagsterInstance, Instance

__all__ = ["DagsterInstance", "Instance", "InstanceSettings"]
