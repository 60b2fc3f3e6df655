-- wrk script: a realistic mix of chat messages as mod_rest posts them
-- (a few hundred bytes, some with extensions), round-robin, keep-alive.
-- Usage: wrk -t2 -c64 -d10s -s messages.lua http://127.0.0.1:PORT/  [json]

local format = "xml"
local bodies = {}
local counter = 0

local xml_messages = {
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='alice@example.org/phone' type='chat'><body>!status please</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='bob@example.org/Gajim.x1' type='chat'><body>Could you deploy v1.2.3 to staging when the build is green? Thanks a lot, and ping me if the smoke tests fail.</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/><origin-id xmlns='urn:xmpp:sid:0' id='6a1f0c4e-77a9-4a0f-9d1e-2f3b4c5d6e7f'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='ops@rooms.example.org/carol' type='groupchat'><body>bot: rollback prod</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='dGhpcyBpcyBhbiBpZA=='/><stanza-id xmlns='urn:xmpp:sid:0' id='K7aa-31_d' by='ops@rooms.example.org'/></message>",
  "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='dave@example.org/dino' type='chat'><body>hi &lt;bot&gt; &amp; friends — ünïcödé ✓</body><reply xmlns='urn:xmpp:reply:0' to='bot@bot.example.net' id='prev-42'/><store xmlns='urn:xmpp:hints'/></message>",
}

local json_messages = {
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"alice@example.org/phone","to":"bot@bot.example.net","body":"!status please","state":"active"}',
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"bob@example.org/Gajim.x1","to":"bot@bot.example.net","body":"Could you deploy v1.2.3 to staging when the build is green? Thanks a lot, and ping me if the smoke tests fail.","state":"active","markable":true}',
  '{"kind":"message","type":"groupchat","id":"m%d","lang":"en","from":"ops@rooms.example.org/carol","to":"bot@bot.example.net","body":"bot: rollback prod","occupant_id":"dGhpcyBpcyBhbiBpZA=="}',
  '{"kind":"message","type":"chat","id":"m%d","lang":"en","from":"dave@example.org/dino","to":"bot@bot.example.net","body":"hi <bot> & friends — ünïcödé ✓"}',
}

function init(args)
  if args[1] == "json" then
    format = "json"
  end
  local source = format == "json" and json_messages or xml_messages
  for i, template in ipairs(source) do
    bodies[i] = string.format(template, i)
  end
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  local content_type = format == "json" and "application/json" or "application/xmpp+xml"
  return wrk.format("POST", nil, {
    ["Content-Type"] = content_type,
    ["Accept"] = "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
    ["User-Agent"] = "Prosody XMPP Server",
    ["Content-Language"] = "en",
  }, body)
end

non2xx = 0
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d non2xx_status=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
