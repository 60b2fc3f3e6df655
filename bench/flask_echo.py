"""The reference echo bot: mod_rest's documented Flask example, made to echo.

mod_rest's README shows a Flask app that parses the posted stanza with
ElementTree and answers with an XML message; this is that app, echoing the
body back as a chat message so that it does the same work as our echo bot.
Run it under gunicorn: `gunicorn -w $(nproc) -b 127.0.0.1:5000 flask_echo:app`.
"""

import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

from flask import Flask, Response, request

app = Flask("echobot")


@app.before_request
def parse():
    request.stanza = ET.fromstring(request.data)


@app.route("/", methods=["POST"])
def hello():
    stanza = request.stanza
    if stanza.tag == "message":
        body = stanza.find("{jabber:client}body")
        if body is None:
            body = stanza.find("body")
        if body is None or body.text is None:
            return Response(status=202)
        reply = '<message type="%s"><body>%s</body></message>' % (
            escape(stanza.get("type", "chat")),
            escape(body.text),
        )
        return Response(reply, content_type="application/xmpp+xml")
    return Response(status=501)
