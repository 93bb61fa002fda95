#!/usr/bin/env python3
"""Writes COUNT sessions of one organization as NDJSON, one per line in the
API's JSON shape, oldest first, for `sessions-api admin session import`.

The output depends only on the arguments (the seed included), so the same
call gives both backends the same data. `createdAt` is strictly increasing
(one to five seconds apart, with microseconds), so it is unique within the
organization. With --meta FILE, also writes the instants a benchmark needs
(oldest, median, newest) as JSON.
"""

import argparse
import json
import random
import sys
import time

DEVICES = [
    ("ios", "real", "iPhone 15 Pro", "18.1"),
    ("ios", "real", "iPhone 14", "17.6"),
    ("ios", "simulator", "iPhone 16 Simulator", "18.2"),
    ("ios", "real", "iPad Air", "17.5"),
    ("android", "real", "Galaxy S24", "14"),
    ("android", "real", "Pixel 8", "15"),
    ("android", "emulator", "Pixel 7 Emulator", "14"),
    ("android", "real", "Xiaomi 13T", "13"),
]
DEVICE_POOL = 500
HELD = 50  # the newest sessions are still held: releasedAt null
START = 1_577_836_800  # 2020-01-01T00:00:00Z


def rfc3339(micros):
    seconds, fraction = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:06d}Z"


def uuid4(rng):
    bits = rng.getrandbits(128)
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    text = f"{bits:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--org", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--meta")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    devices = [
        (f"bench-device-{args.seed}-{n}",) + DEVICES[n % len(DEVICES)]
        for n in range(DEVICE_POOL)
    ]
    org, user = json.dumps(args.org), json.dumps(args.user)
    micros = START * 1_000_000 + rng.randrange(1_000_000)
    median_index = args.count // 2
    meta = {"count": args.count}
    out = sys.stdout
    chunk = []
    for index in range(args.count):
        micros += rng.randrange(1_000_000, 5_000_000)
        created = rfc3339(micros)
        if index + HELD >= args.count:
            released = "null"
        else:
            released = '"' + rfc3339(micros + rng.randrange(60_000_000, 3_600_000_000)) + '"'
        device_id, platform, kind, name, os_version = devices[rng.randrange(DEVICE_POOL)]
        chunk.append(
            f'{{"sessionId":"{uuid4(rng)}","organizationId":{org},"userId":{user},'
            f'"device":{{"deviceId":"{device_id}","platform":"{platform}","type":"{kind}",'
            f'"name":"{name}","osVersion":"{os_version}"}},'
            f'"createdAt":"{created}","releasedAt":{released}}}\n'
        )
        if index == 0:
            meta["oldest"] = created
        if index == median_index:
            meta["median"] = created
        if len(chunk) == 10_000:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))
    out.flush()
    if args.count:
        meta["newest"] = created
    if args.meta:
        with open(args.meta, "w", encoding="utf-8") as file:
            json.dump(meta, file)


if __name__ == "__main__":
    main()
