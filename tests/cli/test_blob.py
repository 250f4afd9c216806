#!/usr/bin/env python3
"""Attachments' blobs on one node (PROTOCOL.md §6): `maille attachment add` stores a file and
prints its attachments item (media type from the content, digest and tree computed here apart
with hashlib), a record names it, `maille gc` keeps the blobs live records name and removes the
rest (a deleted record's too), `maille check` finds a blob corrupted on disk.

Usage: test_blob.py MAILLE_BINARY"""
import hashlib
import json
import os
import sys
import unittest

import harness

CHUNK = 256 * 1024


def h(b):
    return hashlib.blake2b(b, digest_size=32).digest()


def tree(data):
    """The root of PROTOCOL.md §6.1's tree, level by level."""
    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
    level = [h(b"\x00" + i.to_bytes(8, "big") + c) for i, c in enumerate(chunks)]
    while len(level) > 1:
        nxt = [h(b"\x01" + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def blob_file(node, digest):
    return os.path.join(node, "blobs", digest[:2], digest[2:])


class TestBlobs(harness.Case):
    @classmethod
    def setUpClass(cls):
        cls.begin("maille-blob-")
        cls.dir = cls.path("node")
        cls.ok(cls.dir, "init", "--name", "Métropole de Lyon", "--siren", "200046977",
               "--kind", "metropole")

    @classmethod
    def tearDownClass(cls):
        cls.end()

    def add(self, name, data):
        item = json.loads(self.ok(self.dir, "attachment", "add", self.write(name, data)))
        self.assertEqual(item["name"], name)
        self.assertEqual(item["size"], len(data))
        self.assertEqual(item["digest"], h(data).hex())
        self.assertEqual(item["tree"], tree(data))
        with open(blob_file(self.dir, item["digest"]), "rb") as f:
            self.assertEqual(f.read(), data)
        return item

    def publish(self, title, items):
        text = self.ok(self.dir, "new", "methodology", "--example")
        head, rest = text.split("\n---", 1)
        head = head.replace("title: Méthode d'inventaire des algorithmes publics",
                            "title: " + title)
        head += "\nattachments:\n" + "".join(
            f"  - {{name: {i['name']}, media_type: {i['media_type']}, size: {i['size']}, "
            f"digest: {i['digest']}, tree: {i['tree']}}}\n" for i in items)
        p = self.write(title.replace(" ", "_") + ".md", head.rstrip("\n") + "\n---" + rest)
        return self.js(self.dir, "publish", p)["path"]

    def test_types_gc_and_check(self):
        pdf = self.add("guide.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 1200)  # two chunks
        csv = self.add("grille.csv", "commune;score\nLyon;3\nVilleurbanne;4\n".encode())
        png = self.add("plan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
        txt = self.add("notes.txt", "Compte rendu de l'atelier du 12 mars.\n".encode())
        odt = self.add("guide.odt", b"PK\x03\x04" + b"\0" * 26 + b"mimetype"
                       + b"application/vnd.oasis.opendocument.text")
        raw = self.add("donnees.bin", bytes([0, 1, 2, 255]) * 10)
        self.assertEqual(pdf["media_type"], "application/pdf")
        self.assertEqual(csv["media_type"], "text/csv")
        self.assertEqual(png["media_type"], "image/png")
        self.assertEqual(txt["media_type"], "text/plain")
        self.assertEqual(odt["media_type"], "application/vnd.oasis.opendocument.text")
        self.assertEqual(raw["media_type"], "application/octet-stream")

        kept = self.publish("Guide de la grille", [pdf, csv])
        gone = self.publish("Plan retiré", [png])
        shown = self.js(self.dir, "show", kept)
        self.assertEqual([a["tree"] for a in shown["body"]["attachments"]],
                         [pdf["tree"], csv["tree"]])
        self.ok(self.dir, "delete", gone, "--yes")

        out = self.ok(self.dir, "gc")
        for item in (png, txt, odt, raw):
            self.assertIn(item["digest"], out)
            self.assertFalse(os.path.exists(blob_file(self.dir, item["digest"])))
        for item in (pdf, csv):
            self.assertNotIn(item["digest"], out)
            self.assertTrue(os.path.exists(blob_file(self.dir, item["digest"])))
        freed = sum(i["size"] for i in (png, txt, odt, raw))
        self.assertIn(f"4 files removed, {freed} bytes freed", out)
        again = self.js(self.dir, "gc")
        self.assertEqual((again["files"], again["bytes"], again["removed"]), (0, 0, []))

        self.assertIn("2 blobs checked, all good", self.ok(self.dir, "check"))
        path = blob_file(self.dir, pdf["digest"])
        with open(path, "r+b") as f:
            f.seek(CHUNK + 10)
            f.write(b"X")
        err = self.fails(self.dir, "check")
        self.assertIn(f"bad blob {pdf['digest']} {path}: its content does not match its "
                      "digest", err)
        self.assertNotIn(csv["digest"], err)
        rep = json.loads(self.m(self.dir, "check", "--json")[1])
        self.assertFalse(rep["ok"])
        self.assertEqual([b["digest"] for b in rep["bad_blobs"]], [pdf["digest"]])
        self.assertEqual(rep["problems"], [])
        # the store is not at fault: commands still write
        self.assertFalse(os.path.exists(os.path.join(self.dir, "store.corrupt")))
        # a store marked corrupt may have lost records that name blobs: gc refuses
        mark = os.path.join(self.dir, "store.corrupt")
        with open(mark, "w") as f:
            f.write("maille check: 1 problem\n")
        self.fails(self.dir, "gc")
        os.remove(mark)
        self.assertTrue(os.path.exists(blob_file(self.dir, csv["digest"])))

    def test_budget(self):
        d = self.path("petit")
        self.ok(d, "init", "--name", "Commune de Bron", "--siren", "216900290",
                "--kind", "commune")
        with open(os.path.join(d, "maille.conf"), "a") as f:
            f.write("attachments.budget = 1K\n")
        self.ok(d, "attachment", "add", self.write("a.bin", b"\1" * 600))
        err = self.fails(d, "attachment", "add", self.write("b.bin", b"\2" * 600))
        self.assertIn("attachments.budget (1024 bytes)", err)
        self.assertEqual(len(os.listdir(os.path.join(d, "blobs", "tmp"))), 0)


if __name__ == "__main__":
    harness.MAILLE = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0], "-v"])
