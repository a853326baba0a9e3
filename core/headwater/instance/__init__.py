"""The instance: one installation's storage, settings and files (`Instance`)."""

from headwater.instance.config import InstanceSettings
from headwater.instance.for_test import instance_for_test
from headwater.instance.instance import DagsterInstance, Instance

__all__ = ["DagsterInstance", "Instance", "InstanceSettings", "instance_for_test"]
