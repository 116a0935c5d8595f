#!/usr/bin/env python3
"""slixmpp_peer.py: an XMPP peer built on slixmpp 1.17, for the interoperability live tests.

A client nobody in this project wrote, driven by a test through its command line, stdin and stdout.
stdout carries only machine-readable lines, one JSON object per line, each with an "event" key;
human-readable logging goes to stderr (--verbose for slixmpp's debug log).

Subcommands (common options: --jid --password --host --port --ca-file [--direct-tls] [--timeout S]):

  peer --other JID [--subscribe-back] [--request-timeout S]
      Logs in (roster, initial presence), prints {"event":"ready",...}, then reads commands from stdin,
      one JSON object per line, and runs each as it arrives (they may overlap):
        {"cmd":"send","to":J,"body":B[,"type":"chat"]}   -> {"event":"sent",...}
        {"cmd":"disco_info","to":J}                       -> {"event":"disco_info","features":[...],...}
        {"cmd":"version","to":J}                          -> {"event":"version","name":...,...}
        {"cmd":"subscribe","to":BARE}                     -> {"event":"subscribed","from":BARE,...}
                          (at once with "already":true if the roster shows a subscription already)
        {"cmd":"remove_roster","to":BARE}                 -> {"event":"roster_removed",...}
        {"cmd":"join_room","room":R,"nick":N}             -> {"event":"joined_room","room":R,"nick":N,...}
        {"cmd":"groupchat","room":R,"body":B}             -> {"event":"sent",...}
        {"cmd":"set_subject","room":R,"subject":S}        -> {"event":"subject_sent",...}
        {"cmd":"set_nick","room":R,"nick":N}              -> {"event":"nick_set","nick":N,...}
        {"cmd":"kick","room":R,"nick":N[,"reason":T]}     -> {"event":"kicked","nick":N,...}
        {"cmd":"quit"} or EOF on stdin                    -> disconnects, {"event":"done","ok":true}, exit 0
      "to" defaults to --other. An optional "id" in a command is copied into its reply event.
      After quit/EOF the commands still running finish first (each within --request-timeout).
      A command that fails prints {"event":"command_error","cmd":...,"message":...} and the peer goes on.
      Unsolicited events: message, message_error, presence, subscribe_request (approved at once),
      subscribed, unsubscribed; in a room (slixmpp's xep_0045): groupchat (from, nick, body, delayed),
      room_subject (nick, subject), room_presence (nick, type, codes, new_nick, reason).

  echo-load --to BOT_JID [--count N]
      Sends N chat messages with bodies echo-0 .. echo-(N-1) to the bot, collects the bodies the bot sends
      back and prints {"event":"done","ok":...,"sent":N,"received":R,"correct":K,"missing":[...],
      "unexpected":[...],"ignored_delayed":D,"seconds":T}. ok (and exit 0) only when every body came back
      exactly once and nothing else came from the bot (listening --settle s more after the last echo).
      Echoes carrying a XEP-0203 delay (stored offline by an earlier run) are ignored, only counted.
      Each message carries a XEP-0334 <no-permanent-store/> hint (unless --archive), so that the server's
      message archive stays out of the measurement.

Failure: {"event":"error","message":...} is the last line and the exit status is 1 (2 for bad arguments).
TLS: STARTTLS (or direct TLS with --direct-tls) with the server certificate verified against --ca-file
and the JID's domain; SASL never runs unencrypted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import stat
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import slixmpp
from slixmpp import JID, ClientXMPP
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.jid import InvalidJID
from slixmpp.stanza import Message, Presence

T = TypeVar("T")

SOFTWARE_NAME = "slixmpp-peer"
DELAY_NAMESPACE = "urn:xmpp:delay"
HINTS_NAMESPACE = "urn:xmpp:hints"
LIST_LIMIT = 10  # how many missing/unexpected bodies echo-load lists


class Failure(Exception):
    """A fatal error: printed as {"event":"error"}, exit status 1."""


class CommandError(Exception):
    """A failed stdin command: printed as {"event":"command_error"}; the peer goes on."""

    def __init__(self, message: str, condition: str | None = None) -> None:
        super().__init__(message)
        self.condition = condition


def emit(event: str, **fields: Any) -> None:
    """Prints one event line on stdout (ASCII-only JSON, flushed at once). If the reader has gone away,
    later lines go nowhere: the peer still finishes (stdin EOF or its timeout ends it)."""
    try:
        sys.stdout.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@dataclass(frozen=True)
class Account:
    jid: str
    password: str
    host: str
    port: int
    ca_file: Path
    direct_tls: bool


class PeerClient(ClientXMPP):
    """A client that connects with verified TLS only and turns every way of failing into `closed`."""

    def __init__(self, account: Account) -> None:
        super().__init__(account.jid, account.password)
        self.account = account
        # Certificate verification: slixmpp's context already has CERT_REQUIRED and check_hostname
        # (against the JID's domain); ca_certs adds our self-signed certificate as a trust anchor.
        self.ca_certs = account.ca_file
        self.enable_plaintext = False
        self.enable_direct_tls = account.direct_tls
        self.enable_starttls = not account.direct_tls
        self.online: asyncio.Future[None] = self.loop.create_future()
        self.closed: asyncio.Future[str] = self.loop.create_future()  # result: why
        self.quitting = False
        self._auth_failure: str | None = None
        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("connection_failed", lambda e: self.fail(f"connection failed: {e}"))
        self.add_event_handler("ssl_invalid_chain", lambda e: self.fail(f"TLS certificate not trusted: {e}"))
        self.add_event_handler("failed_auth", self._on_failed_auth)
        self.add_event_handler("failed_all_auth", self._on_failed_all_auth)
        self.add_event_handler("stream_error", lambda e: self.fail(f"stream error: {e['condition']} {e['text']}".strip()))
        self.add_event_handler("disconnected", self._on_disconnected)

    def fail(self, reason: str) -> None:
        if not self.closed.done():
            self.closed.set_result(reason)

    def tls_version(self) -> str | None:
        version = getattr(self.socket, "version", None)
        return version() if callable(version) else None

    async def _on_session_start(self, _event: Any) -> None:
        try:
            await self.get_roster(timeout=20)
        except (IqError, IqTimeout) as error:
            self.fail(f"roster request failed: {describe_error(error)}")
            return
        self.send_presence()
        if not self.online.done():
            self.online.set_result(None)

    def _on_failed_auth(self, failure: Any) -> None:
        self._auth_failure = failure["condition"] or "unknown condition"

    def _on_failed_all_auth(self, _event: Any) -> None:
        self.fail(f"authentication failed: {self._auth_failure or 'no usable SASL mechanism'}")

    def _on_disconnected(self, reason: Any) -> None:
        if not self.quitting:
            self.fail(f"disconnected: {reason}" if reason else "disconnected by the server")


def describe_error(error: Exception) -> str:
    if isinstance(error, IqTimeout):
        return "no response (timeout)"
    if isinstance(error, IqError):
        return f"{error.etype}/{error.condition}" + (f": {error.text}" if error.text else "")
    return str(error) or type(error).__name__


def is_delayed(msg: Message) -> bool:
    return msg.xml.find(f"{{{DELAY_NAMESPACE}}}delay") is not None


async def unless_closed(client: PeerClient, awaitable: Awaitable[T]) -> T:
    """Awaits `awaitable`, but raises Failure as soon as the client's connection is gone."""
    task = asyncio.ensure_future(awaitable)
    watched: set[asyncio.Future[Any]] = {task, client.closed}
    try:
        await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            return task.result()
        raise Failure(client.closed.result())
    finally:
        if not task.done():
            task.cancel()


@asynccontextmanager
async def logged_in(client: PeerClient) -> AsyncIterator[None]:
    """Connects and waits for roster + presence; on leaving, disconnects (gracefully unless failing)."""
    client.connect(client.account.host, client.account.port)
    try:
        await unless_closed(client, asyncio.shield(client.online))
        yield
    except BaseException:
        client.quitting = True
        client.cancel_connection_attempt()
        client.abort()
        raise
    client.quitting = True
    try:
        await asyncio.wait_for(client.disconnect(wait=2.0), timeout=5)
    except asyncio.TimeoutError:
        client.abort()


# MARK: - peer


@dataclass
class PeerCommand:
    name: str
    to: JID | None
    args: dict[str, Any]
    tag: dict[str, Any] = field(default_factory=dict)  # {"id": ...} when the command had one

    @staticmethod
    def parse(line: str, default_to: JID | None) -> PeerCommand:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            raise CommandError(f"not JSON: {error}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("cmd"), str):
            raise CommandError('a command is a JSON object with a string "cmd"')
        tag = {"id": obj["id"]} if "id" in obj else {}
        to = obj.get("to")
        try:
            jid = JID(to) if isinstance(to, str) and to else default_to
        except InvalidJID as error:
            raise CommandError(f"invalid JID {to!r}: {error}") from None
        return PeerCommand(obj["cmd"], jid, obj, tag)

    def target(self) -> JID:
        if self.to is None:
            raise CommandError('no "to" and no --other')
        return self.to


class InteractivePeer(PeerClient):
    """The `peer` subcommand: answers disco#info, version and ping; obeys commands from stdin."""

    def __init__(self, account: Account, other: JID | None, subscribe_back: bool, request_timeout: float) -> None:
        super().__init__(account)
        self.other = other
        self.request_timeout = request_timeout
        self._subscribe_waiters: dict[str, list[tuple[asyncio.Future[None], dict[str, Any]]]] = {}
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0092", {"software_name": SOFTWARE_NAME, "version": slixmpp.__version__,
                                          "os": platform.system()})
        self.register_plugin("xep_0199")
        self.register_plugin("xep_0045")
        self.roster.auto_authorize = True
        self.roster.auto_subscribe = subscribe_back
        self.add_event_handler("session_bind", self._on_session_bind)
        self.add_event_handler("message", self._on_message)
        self.add_event_handler("message_error", self._on_message_error)
        self.add_event_handler("presence_available", self._on_presence)
        self.add_event_handler("presence_unavailable", self._on_presence)
        self.add_event_handler("roster_subscription_request", self._on_subscribe_request)
        self.add_event_handler("presence_subscribed", self._on_subscribed)
        self.add_event_handler("presence_unsubscribed", self._on_unsubscribed)
        self.add_event_handler("groupchat_message", self._on_groupchat)
        self.add_event_handler("groupchat_subject", self._on_room_subject)
        self.add_event_handler("groupchat_presence", self._on_room_presence)

    # Inbound

    def _on_groupchat(self, msg: Message) -> None:
        if msg["body"]:
            emit("groupchat", **{"from": str(msg["from"]), "nick": msg["mucnick"], "body": msg["body"],
                                 "delayed": is_delayed(msg)})

    def _on_room_subject(self, msg: Message) -> None:
        emit("room_subject", **{"room": str(msg["from"].bare), "nick": msg["mucnick"] or None,
                                "subject": msg["subject"]})

    def _on_room_presence(self, presence: Presence) -> None:
        muc = presence["muc"]
        emit("room_presence", **{"room": str(presence["from"].bare), "nick": presence["from"].resource,
                                 "type": presence["type"], "codes": sorted(muc["status_codes"]),
                                 "new_nick": muc["item_nick"] or None, "reason": muc["item"]["reason"] or None})

    def _on_session_bind(self, _jid: Any) -> None:
        self.plugin["xep_0030"].add_identity(category="client", itype="pc", name=SOFTWARE_NAME)

    def _on_message(self, msg: Message) -> None:
        if msg["type"] in ("chat", "normal") and msg["body"]:
            emit("message", **{"from": str(msg["from"]), "to": str(msg["to"]), "type": msg["type"],
                               "body": msg["body"], "stanza_id": msg["id"] or None, "delayed": is_delayed(msg)})

    def _on_message_error(self, msg: Message) -> None:
        emit("message_error", **{"from": str(msg["from"]), "stanza_id": msg["id"] or None,
                                 "condition": msg["error"]["condition"], "text": msg["error"]["text"] or None})

    def _on_presence(self, presence: Presence) -> None:
        if presence["from"] == self.boundjid:
            return
        emit("presence", **{"from": str(presence["from"]), "type": presence["type"],
                            "show": presence["show"] or None, "status": presence["status"] or None})

    def _on_subscribe_request(self, presence: Presence) -> None:
        # slixmpp's own handler approves it (roster.auto_authorize) and, with --subscribe-back, subscribes back.
        emit("subscribe_request", **{"from": presence["from"].bare, "approved": True})

    def _on_subscribed(self, presence: Presence) -> None:
        self._settle_subscription(presence["from"].bare, "subscribed", None)

    def _on_unsubscribed(self, presence: Presence) -> None:
        self._settle_subscription(presence["from"].bare, "unsubscribed", CommandError("subscription denied"))

    def _settle_subscription(self, bare: str, event: str, error: CommandError | None) -> None:
        fields: dict[str, Any] = {"from": bare, **({"already": False} if event == "subscribed" else {})}
        waiters = self._subscribe_waiters.pop(bare, [])
        if not waiters:
            emit(event, **fields)
        for waiter, tag in waiters:
            emit(event, **fields, **tag)
            if not waiter.done():
                waiter.set_exception(error) if error else waiter.set_result(None)

    # Commands

    async def serve(self, commands: asyncio.StreamReader) -> None:
        """Runs stdin commands until quit or EOF, then lets the commands still running finish (each is
        bounded by --request-timeout). If the connection fails, they are cancelled."""
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                line = await unless_closed(self, commands.readline())
                if not line:
                    break
                text = line.decode("utf-8", errors="replace").strip()
                if not text:
                    continue
                try:
                    command = PeerCommand.parse(text, self.other)
                except CommandError as error:
                    emit("command_error", cmd=None, message=str(error))
                    continue
                if command.name == "quit":
                    break
                task = asyncio.create_task(self.run(command))
                running.add(task)
                task.add_done_callback(running.discard)
            if running:
                await unless_closed(self, asyncio.wait(set(running)))
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.wait(running, timeout=1)

    async def run(self, command: PeerCommand) -> None:
        handlers: dict[str, Callable[[PeerCommand], Awaitable[None]]] = {
            "send": self.cmd_send,
            "disco_info": self.cmd_disco_info,
            "version": self.cmd_version,
            "subscribe": self.cmd_subscribe,
            "remove_roster": self.cmd_remove_roster,
            "join_room": self.cmd_join_room,
            "groupchat": self.cmd_groupchat,
            "set_subject": self.cmd_set_subject,
            "set_nick": self.cmd_set_nick,
            "kick": self.cmd_kick,
        }
        handler = handlers.get(command.name)
        try:
            if handler is None:
                raise CommandError(f"unknown command (known: {', '.join(sorted(handlers))}, quit)")
            await handler(command)
        except CommandError as error:
            emit("command_error", cmd=command.name, message=str(error), condition=error.condition, **command.tag)
        except (IqError, IqTimeout) as error:
            condition = "timeout" if isinstance(error, IqTimeout) else error.condition
            emit("command_error", cmd=command.name, message=describe_error(error), condition=condition, **command.tag)
        except asyncio.CancelledError:
            emit("command_error", cmd=command.name, message="cancelled (connection failed or overall timeout)", condition=None,
                 **command.tag)
            raise

    async def cmd_send(self, command: PeerCommand) -> None:
        body = command.args.get("body")
        kind = command.args.get("type", "chat")
        if not isinstance(body, str):
            raise CommandError('send needs a string "body"')
        if kind not in ("chat", "normal", "headline"):
            raise CommandError(f"unsupported message type {kind!r}")
        msg = self.make_message(mto=command.target(), mbody=body, mtype=kind)
        msg["id"] = self.new_id()
        msg.send()
        emit("sent", to=str(command.target()), body=body, stanza_id=msg["id"], **command.tag)

    async def cmd_disco_info(self, command: PeerCommand) -> None:
        iq = await self.plugin["xep_0030"].get_info(jid=command.target(), timeout=self.request_timeout)
        info = iq["disco_info"]
        identities = [{"category": c, "type": t, "lang": lang, "name": name}
                      for c, t, lang, name in sorted(info["identities"], key=lambda i: tuple(x or "" for x in i))]
        emit("disco_info", **{"from": str(iq["from"]), "features": sorted(info["features"]),
                              "identities": identities, **command.tag})

    async def cmd_version(self, command: PeerCommand) -> None:
        iq = await self.plugin["xep_0092"].get_version(command.target(), timeout=self.request_timeout)
        version = iq["software_version"]
        emit("version", **{"from": str(iq["from"]), "name": version["name"] or None,
                           "version": version["version"] or None, "os": version["os"] or None, **command.tag})

    async def cmd_subscribe(self, command: PeerCommand) -> None:
        """Ends with `subscribed` once we are subscribed to the contact's presence. When the roster already
        says so, that is reported at once ("already": true): the server would not pass on its automatic
        answer (RFC 6121 3.1.3/3.1.6), so use remove_roster first to test the handshake itself."""
        bare = command.target().bare
        if self.client_roster.has_jid(bare) and self.client_roster[bare]["to"]:
            emit("subscribed", **{"from": bare, "already": True, **command.tag})
            return
        waiter: asyncio.Future[None] = self.loop.create_future()
        self._subscribe_waiters.setdefault(bare, []).append((waiter, command.tag))
        self.send_presence_subscription(pto=bare)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout=self.request_timeout)
        except asyncio.TimeoutError:
            raise CommandError(f"no answer to the subscription request within {self.request_timeout:g} s",
                               "timeout") from None
        finally:
            entries = self._subscribe_waiters.get(bare, [])
            entries[:] = [entry for entry in entries if entry[0] is not waiter]
            if not entries:
                self._subscribe_waiters.pop(bare, None)

    async def cmd_remove_roster(self, command: PeerCommand) -> None:
        """Removes the contact (and so every subscription both ways); a contact not on the roster is fine."""
        bare = command.target().bare
        try:
            await self.del_roster_item(bare)
            existed = True
        except IqError as error:
            if error.condition != "item-not-found":
                raise
            existed = False
        emit("roster_removed", jid=bare, existed=existed, **command.tag)


    def room_arguments(self, command: PeerCommand, *names: str) -> list[str]:
        values = [command.args.get(name) for name in ("room", *names)]
        if not all(isinstance(value, str) and value for value in values):
            raise CommandError(f"{command.name} needs strings {', '.join(('room', *names))}")
        return values  # type: ignore[return-value]

    async def cmd_join_room(self, command: PeerCommand) -> None:
        room, nick = self.room_arguments(command, "nick")
        await self.plugin["xep_0045"].join_muc_wait(JID(room), nick, maxstanzas=0, timeout=self.request_timeout)
        emit("joined_room", room=room, nick=nick, **command.tag)

    async def cmd_groupchat(self, command: PeerCommand) -> None:
        room, body = self.room_arguments(command, "body")
        msg = self.make_message(mto=JID(room), mbody=body, mtype="groupchat")
        msg["id"] = self.new_id()
        msg.send()
        emit("sent", to=room, body=body, stanza_id=msg["id"], **command.tag)

    async def cmd_set_subject(self, command: PeerCommand) -> None:
        room, subject = self.room_arguments(command, "subject")
        self.plugin["xep_0045"].set_subject(JID(room), subject)
        emit("subject_sent", room=room, subject=subject, **command.tag)

    async def cmd_set_nick(self, command: PeerCommand) -> None:
        room, nick = self.room_arguments(command, "nick")
        final = await self.plugin["xep_0045"].set_self_nick(JID(room), nick, timeout=self.request_timeout)
        emit("nick_set", room=room, nick=final, **command.tag)

    async def cmd_kick(self, command: PeerCommand) -> None:
        room, nick = self.room_arguments(command, "nick")
        reason = command.args.get("reason", "")
        await self.plugin["xep_0045"].set_role(JID(room), nick, "none", reason=reason, timeout=self.request_timeout)
        emit("kicked", room=room, nick=nick, **command.tag)


async def open_stdin() -> asyncio.StreamReader:
    """stdin as a StreamReader. A pipe, socket or terminal is read line by line as data arrives; anything
    else (a regular file, /dev/null, which the event loop cannot watch) is read whole at once."""
    reader = asyncio.StreamReader(limit=1 << 20)
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or sys.stdin.isatty():
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    else:
        reader.feed_data(sys.stdin.buffer.read())
        reader.feed_eof()
    return reader


async def run_peer(options: argparse.Namespace) -> None:
    other = JID(options.other) if options.other else None
    client = InteractivePeer(account_from(options), other, options.subscribe_back, options.request_timeout)
    commands = await open_stdin()
    async with logged_in(client):
        emit("ready", jid=str(client.boundjid), tls=client.tls_version(), other=str(other) if other else None,
             software={"name": SOFTWARE_NAME, "version": slixmpp.__version__})
        await client.serve(commands)
    emit("done", ok=True)


# MARK: - echo-load


class EchoLoadClient(PeerClient):
    """The `echo-load` subcommand: counts the bot's echoes of echo-0 .. echo-(N-1)."""

    def __init__(self, account: Account, bot: JID, count: int) -> None:
        super().__init__(account)
        self.bot = bot
        self.expected = {f"echo-{i}" for i in range(count)}
        self.seen: set[str] = set()
        self.received = 0
        self.ignored_delayed = 0
        self.unexpected: list[str] = []
        self.all_echoed: asyncio.Future[None] = self.loop.create_future()
        self.last_echo_at: float | None = None
        self.add_event_handler("message", self._on_message)

    def from_bot(self, sender: JID) -> bool:
        return sender == self.bot if self.bot.resource else sender.bare == self.bot.bare

    def _on_message(self, msg: Message) -> None:
        if msg["type"] not in ("chat", "normal") or not self.from_bot(msg["from"]):
            return
        if is_delayed(msg):  # stored offline earlier (say, by a run that timed out): not this run's echo
            self.ignored_delayed += 1
            return
        self.received += 1
        body = msg["body"]
        if body in self.expected and body not in self.seen:
            self.seen.add(body)
            self.last_echo_at = time.monotonic()
            if len(self.seen) == len(self.expected) and not self.all_echoed.done():
                self.all_echoed.set_result(None)
        else:
            self.unexpected.append(body)

    def missing(self) -> list[str]:
        return sorted(self.expected - self.seen, key=lambda body: int(body.removeprefix("echo-")))


def echo_request(client: EchoLoadClient, body: str, archive: bool) -> Message:
    msg = client.make_message(mto=client.bot, mbody=body, mtype="chat")
    if not archive:
        # XEP-0334: keeps the server's message archive (MAM) out of the load test. Prosody's internal
        # archive store slows down badly near its 10,000-item quota per account.
        msg.xml.append(ET.Element(f"{{{HINTS_NAMESPACE}}}no-permanent-store"))
    return msg


async def run_echo_load(options: argparse.Namespace, deadline: float) -> None:
    client = EchoLoadClient(account_from(options), JID(options.to), options.count)
    async with logged_in(client):
        emit("ready", jid=str(client.boundjid), tls=client.tls_version(), to=str(client.bot), count=options.count)
        started = time.monotonic()
        for i in range(options.count):
            echo_request(client, f"echo-{i}", options.archive).send()
        # Leave part of the overall timeout for the report and a clean disconnect.
        budget = max(0.0, deadline - time.monotonic() - 3.0)
        try:
            await asyncio.wait_for(unless_closed(client, asyncio.shield(client.all_echoed)), timeout=budget)
            await asyncio.sleep(min(options.settle, max(0.0, deadline - time.monotonic() - 3.0)))
        except asyncio.TimeoutError:
            pass
        complete = client.all_echoed.done()
        ended = client.last_echo_at if complete and client.last_echo_at else time.monotonic()
        ok = complete and not client.unexpected
        emit("done", ok=ok, sent=options.count, received=client.received, correct=len(client.seen),
             missing=client.missing()[:LIST_LIMIT], unexpected=client.unexpected[:LIST_LIMIT],
             ignored_delayed=client.ignored_delayed, seconds=round(ended - started, 3))
    if not ok:
        raise Failure(f"{len(client.seen)} of {options.count} echoes correct, {len(client.unexpected)} unexpected"
                      + ("" if complete else f" (gave up waiting after {budget:.1f} s)"))


# MARK: - command line


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        emit("error", message=f"bad arguments: {message}")
        sys.exit(2)


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def parse_options(argv: list[str]) -> argparse.Namespace:
    common = ArgumentParser(add_help=False)
    common.add_argument("--jid", required=True, help="account JID (bare, or full to ask for a resource)")
    common.add_argument("--password", required=True)
    common.add_argument("--host", required=True, help="server address to connect to (e.g. 127.0.0.1)")
    common.add_argument("--port", required=True, type=int)
    common.add_argument("--ca-file", required=True, type=Path,
                        help="PEM file of the CA (here: the server's self-signed certificate)")
    common.add_argument("--direct-tls", action="store_true", help="TLS from the first byte instead of STARTTLS")
    common.add_argument("--timeout", type=positive_float, default=60.0,
                        help="overall limit in seconds, login included (default 60)")
    common.add_argument("--verbose", action="store_true", help="slixmpp debug log on stderr")

    parser = ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True, parser_class=ArgumentParser)
    peer = sub.add_parser("peer", parents=[common], help="interactive peer driven through stdin")
    peer.add_argument("--other", help='default "to" of the commands (the peer under test)')
    peer.add_argument("--subscribe-back", action="store_true",
                      help="after approving a subscription request, subscribe back")
    peer.add_argument("--request-timeout", type=positive_float, default=20.0,
                      help="seconds a command waits for its answer (default 20)")
    load = sub.add_parser("echo-load", parents=[common], help="send N messages to an echo bot, check the echoes")
    load.add_argument("--to", required=True, help="the echo bot's JID (full: only that resource counts)")
    load.add_argument("--count", type=int, default=1000)
    load.add_argument("--archive", action="store_true",
                      help="let the server archive the messages (default: a XEP-0334 no-permanent-store hint)")
    load.add_argument("--settle", type=float, default=0.25,
                      help="seconds to keep listening after the last echo, for duplicates (default 0.25)")
    options = parser.parse_args(argv)
    if not options.ca_file.is_file():
        parser.error(f"--ca-file {options.ca_file}: no such file")
    if options.mode == "echo-load" and options.count < 1:
        parser.error("--count must be at least 1")
    return options


def account_from(options: argparse.Namespace) -> Account:
    return Account(options.jid, options.password, options.host, options.port, options.ca_file, options.direct_tls)


async def run(options: argparse.Namespace) -> None:
    deadline = time.monotonic() + options.timeout
    work = run_peer(options) if options.mode == "peer" else run_echo_load(options, deadline)
    try:
        await asyncio.wait_for(work, timeout=options.timeout)
    except asyncio.TimeoutError:
        raise Failure(f"timed out after {options.timeout:g} s") from None


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if options.verbose else logging.ERROR,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run(options))
    except Failure as failure:
        emit("error", message=str(failure))
        return 1
    except KeyboardInterrupt:
        emit("error", message="interrupted")
        return 130
    except Exception as error:  # anything unforeseen still ends with an error line, the traceback on stderr
        logging.exception("slixmpp_peer failed")
        emit("error", message=f"{type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
