"""Events of regional labs: ids, dates, topics and recipient categories; people by registry id only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

LAB_MEETING = "lab_meeting"
LAB_GROUP = "lab_group"

LAB_MEETING_SCHEDULED = "lab_meeting.scheduled"
LAB_MEETING_PARTICIPANTS_RECORDED = "lab_meeting.participants_recorded"
LAB_GROUP_CREATED = "lab_group.created"
LAB_GROUP_MEMBERS_SET = "lab_group.members_set"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class LabPersonRef(_Payload):
    """A participant or member by id, with the recipient category they take part as."""

    person_id: str
    recipient: str


class LabMeetingScheduled(_Payload):
    """A meeting of an edition's regional lab, with the working groups that met."""

    lab_meeting_id: str
    edition_id: str
    programme_id: str
    held_on: str
    topic: str
    lab_group_ids: list[str]


class LabMeetingParticipantsRecorded(_Payload):
    """Who took part in a meeting (the whole list, replacing the previous one)."""

    lab_meeting_id: str
    edition_id: str
    participants: list[LabPersonRef]


class LabGroupCreated(_Payload):
    """A working group of an edition's regional lab."""

    lab_group_id: str
    edition_id: str
    programme_id: str
    name: str
    topic: str


class LabGroupMembersSet(_Payload):
    """The members of a working group (the whole list, replacing the previous one)."""

    lab_group_id: str
    edition_id: str
    members: list[LabPersonRef]


PAYLOADS: dict[str, type[BaseModel]] = {
    LAB_MEETING_SCHEDULED: LabMeetingScheduled,
    LAB_MEETING_PARTICIPANTS_RECORDED: LabMeetingParticipantsRecorded,
    LAB_GROUP_CREATED: LabGroupCreated,
    LAB_GROUP_MEMBERS_SET: LabGroupMembersSet,
}
