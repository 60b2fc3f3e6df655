-- wrk script: a realistic mix of what mod_rest posts to a bot, as it posts it
-- (headers included). Derived from bench/messages.lua, with the stanzas a bot
-- sees besides commands: chat states and markers alone, receipts, room
-- history, presences, pings and disco queries.
-- Usage: wrk -t2 -c32 -d15s --latency -s scripts/load_mix.lua http://127.0.0.1:PORT/

local counter = 0
local mix = {}

-- { weight, stanza }: the weights add up to 100.
local stanzas = {
  -- a command with a body (echoed: 200)
  { 30, "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='alice@example.org/phone' type='chat'><body>!status please</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>" },
  { 12, "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='bob@example.org/Gajim.x1' type='chat'><body>Could you deploy v1.2.3 to staging when the build is green? Thanks a lot, and ping me if the smoke tests fail.</body><request xmlns='urn:xmpp:receipts'/><markable xmlns='urn:xmpp:chat-markers:0'/><origin-id xmlns='urn:xmpp:sid:0' id='6a1f0c4e-77a9-4a0f-9d1e-2f3b4c5d6e7f'/><active xmlns='http://jabber.org/protocol/chatstates'/></message>" },
  { 10, "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='ops@rooms.example.org/carol' type='groupchat'><body>bot: rollback prod</body><occupant-id xmlns='urn:xmpp:occupant-id:0' id='dGhpcyBpcyBhbiBpZA=='/><stanza-id xmlns='urn:xmpp:sid:0' id='K7aa-31_d' by='ops@rooms.example.org'/></message>" },
  { 5, "<message to='bot@bot.example.net' id='m%d' xml:lang='en' from='dave@example.org/dino' type='chat'><body>hi &lt;bot&gt; &amp; friends — ünïcödé ✓</body><reply xmlns='urn:xmpp:reply:0' to='bot@bot.example.net' id='prev-42'/><store xmlns='urn:xmpp:hints'/></message>" },
  -- typing notifications and markers alone (skipped: 202)
  { 15, "<message to='bot@bot.example.net' id='m%d' from='bob@example.org/Gajim.x1' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/><no-store xmlns='urn:xmpp:hints'/></message>" },
  { 6, "<message to='bot@bot.example.net' id='m%d' from='alice@example.org/phone' type='chat'><displayed xmlns='urn:xmpp:chat-markers:0' id='r-17'/><store xmlns='urn:xmpp:hints'/></message>" },
  { 4, "<message to='bot@bot.example.net' id='m%d' from='carol@example.org/dino' type='chat'><received xmlns='urn:xmpp:receipts' id='r-18'/></message>" },
  -- room history on join (delayed: skipped, 202)
  { 4, "<message from='ops@rooms.example.org/alice' to='bot@bot.example.net/muc' type='groupchat' id='m%d' xml:lang='en'><body>!deploy web-frontend</body><delay xmlns='urn:xmpp:delay' from='ops@rooms.example.org' stamp='2024-05-17T09:41:23.512Z'/><stanza-id xmlns='urn:xmpp:sid:0' id='b8QxV3nT5kLm' by='ops@rooms.example.org'/></message>" },
  -- presences (no handler: 202)
  { 6, "<presence from='alice@example.org/phone' to='bot@bot.example.net' id='p%d'><show>away</show><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://conversations.im' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>" },
  -- pings and disco (built-in answers: 200)
  { 6, "<iq type='get' id='i%d' from='alice@example.org/phone' to='bot@bot.example.net'><ping xmlns='urn:xmpp:ping'/></iq>" },
  { 2, "<iq type='get' id='i%d' from='bob@example.org/Gajim.x1' to='bot@bot.example.net'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>" },
}

function init(args)
  for _, entry in ipairs(stanzas) do
    for _ = 1, entry[1] do
      mix[#mix + 1] = entry[2]
    end
  end
  -- a fixed interleaving, so that every thread and run sends the same mix
  local seed = 12345
  for i = #mix, 2, -1 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    local j = seed % i + 1
    mix[i], mix[j] = mix[j], mix[i]
  end
end

function request()
  counter = counter + 1
  local body = string.format(mix[(counter % #mix) + 1], counter)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/xmpp+xml",
    ["Accept"] = "application/xmpp+xml, application/json, application/x-www-form-urlencoded, text/plain",
    ["User-Agent"] = "Prosody XMPP Server",
    ["Content-Language"] = "en",
  }, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("LOAD requests=%d seconds=%.2f rps=%.0f\n",
    summary.requests, seconds, summary.requests / seconds))
  io.write(string.format("LOAD latency_us p50=%d p90=%d p99=%d p99.9=%d max=%d\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
  io.write(string.format("LOAD non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    e.status, e.connect, e.read, e.write, e.timeout))
end
