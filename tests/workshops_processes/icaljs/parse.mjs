// Reads an iCalendar feed on stdin with ical.js and prints what a calendar client would show, as JSON.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone); // as a client does: the file's own definitions
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start_local: event.startDate.toString(),
    start_utc: event.startDate.toJSDate().toISOString(),
    end_utc: event.endDate.toJSDate().toISOString(),
    status: vevent.getFirstPropertyValue("status"),
  };
});
const timezones = calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid"));
process.stdout.write(JSON.stringify({ events, timezones }));
