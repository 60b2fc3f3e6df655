-- wrk script: a realistic mix of chat messages as mod_rest posts them (a few
-- hundred bytes, most with extensions: chat states, receipts, markers, ids,
-- replies, hints), sent round-robin over keep-alive connections with the
-- headers mod_rest sends. Prints one machine-readable RESULT line at the end.
--
-- Usage: wrk -t1 -c64 -d10s -s messages.lua http://127.0.0.1:PORT/ [-- json]
--
-- The requests are built once per thread in init(), so that wrk spends its
-- time on the network and not in Lua. response() only counts statuses; wrk
-- itself counts only statuses >= 400 (summary.errors.status).

local format = "xml"
local requests = {}
local counter = 0
-- Per thread; done() adds them up through the thread objects setup() keeps.
non2xx = 0
local threads = {}

-- As mod_rest serializes them: no xmlns on the stanza (jabber:client is the
-- default namespace), single quotes, no XML declaration.
local xml_messages = {
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='alice@example.org/phone' type='chat'><body>!status please</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='bob@example.org/Gajim.x1' type='chat'><body>Could you deploy v1.2.3 to staging when the build is green? Thanks a lot, and ping me if the smoke tests fail.</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/><origin-id xmlns='urn:xmpp:sid:0' id='6a1f0c4e-77a9-4a0f-9d1e-2f3b4c5d6e7f'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='ops@rooms.example.org/carol' type='groupchat'><body>bot: rollback prod</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='dGhpcyBpcyBhbiBpZA=='/><stanza-id xmlns='urn:xmpp:sid:0' id='K7aa-31_d' by='ops@rooms.example.org'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='dave@example.org/dino' type='chat'><body>hi &lt;bot&gt; &amp; friends — ünïcödé ✓</body><reply xmlns='urn:xmpp:reply:0' to='bot@bot.example.net' id='prev-42'/><store xmlns='urn:xmpp:hints'/></message>",
}

-- The same messages in mod_rest's JSON mapping (which drops the extensions it
-- does not map: receipts, ids, replies, hints).
local json_messages = {
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"alice@example.org/phone","to":"bot@bot.example.net","body":"!status please","state":"active"}',
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"bob@example.org/Gajim.x1","to":"bot@bot.example.net","body":"Could you deploy v1.2.3 to staging when the build is green? Thanks a lot, and ping me if the smoke tests fail.","state":"active","markable":true}',
  '{"kind":"message","type":"groupchat","id":"m%d","lang":"en","from":"ops@rooms.example.org/carol","to":"bot@bot.example.net","body":"bot: rollback prod","occupant_id":"dGhpcyBpcyBhbiBpZA=="}',
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"dave@example.org/dino","to":"bot@bot.example.net","body":"hi <bot> & friends — ünïcödé ✓"}',
}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if args[1] == "json" then
    format = "json"
  end
  local source = format == "json" and json_messages or xml_messages
  local content_type = format == "json" and "application/json" or "application/xmpp+xml"
  for i, template in ipairs(source) do
    requests[i] = wrk.format("POST", nil, {
      ["Content-Type"] = content_type,
      ["Accept"] = "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
      ["User-Agent"] = "Prosody XMPP Server",
      ["Content-Language"] = "en",
    }, string.format(template, i))
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.requests, bad,
    errors.connect + errors.read + errors.write + errors.timeout))
end
