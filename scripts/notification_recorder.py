#!/usr/bin/env python3
"""A desktop notification service that writes down what it is asked to show.

It owns org.freedesktop.Notifications on the session bus (the name every Linux desktop's
notification daemon takes, and the one the app's notification plugin calls) and appends each
notification as a JSON line {"app", "summary", "body"} to OUT, so `make e2e` can check what a
person would have seen. D-Bus from jeepney (pure Python, no GLib main loop).

    notification_recorder.py OUT READY_FILE
"""
import json
import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
# DBUS_NAME_FLAG_DO_NOT_QUEUE: fail rather than wait behind another notification service.
DO_NOT_QUEUE = 4


def main(out_path: str, ready_path: str) -> int:
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, DO_NOT_QUEUE))
    if reply.body[0] != 1:  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
        print(f"{NAME} is already taken on this bus", file=sys.stderr)
        return 1
    with open(ready_path, "w") as ready:
        ready.write("ready\n")
    next_id = 1
    with open(out_path, "a", buffering=1) as out:
        while True:
            msg = conn.receive()
            if msg.header.message_type != MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            interface = msg.header.fields.get(HeaderFields.interface)
            if interface not in (NAME, None):
                conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))
            elif member == "Notify":
                app, _replaces, _icon, summary, body = msg.body[:5]
                out.write(json.dumps({"app": app, "summary": summary, "body": body}) + "\n")
                conn.send(new_method_return(msg, "u", (next_id,)))
                next_id += 1
            elif member == "GetCapabilities":
                conn.send(new_method_return(msg, "as", (["body"],)))
            elif member == "GetServerInformation":
                conn.send(new_method_return(msg, "ssss", ("recorder", "medwallet", "1", "1.2")))
            elif member == "CloseNotification":
                conn.send(new_method_return(msg))
            else:
                conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
