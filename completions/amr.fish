# fish completion for amr(1), the Redis publish/subscribe client.

set -l commands publish broadcast subscribe psubscribe ssubscribe request reply channels ping profile check top bench
set -l no_command "not __fish_seen_subcommand_from $commands"
set -l message_command "__fish_seen_subcommand_from publish broadcast"
set -l subscribe_command "__fish_seen_subcommand_from subscribe psubscribe ssubscribe"

# True while the command line has the command $argv[1] and no positional argument after
# it yet (or $argv[2] of them): publish's channel, channels' pattern, profile show's NAME.
function __amr_wants_first_positional
    set -l value_options --url -H --host -p --port --user -a --password --cacert --capath \
        --cert --key --sni --env-file --profile --connect-timeout --proto-max-bulk-len --token-command --preset --event -f --field -o --output \
        --min-receivers --count --timeout -F --format --template --buffer --reconnect-max \
        --ping-interval --file --window --interval --rate --idle-timeout --exclude --exec --jobs \
        --replies --reply-field --reply-to --pace --speed --warn --critical --limit \
        --publishers --subscribers --channels \
        --subscribers-per-channel --size --duration --messages --warmup --threads --prefix --csv \
        --max-loss
    set -l command
    set -l positionals 0
    set -l skip 0
    for token in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
        else if contains -- $token $value_options
            set skip 1
        else if string match -q -- '-*' $token
            continue
        else if test -z "$command"
            set command $token
        else
            set positionals (math $positionals + 1)
        end
    end
    set -l wanted 0
    set -q argv[2]; and set wanted $argv[2]
    test "$command" = "$argv[1]" -a $positionals = $wanted
end

# The amr of the command line, or amr on PATH.
function __amr_program
    set -l amr (commandline -opc)[1]
    string match -q -- '~/*' $amr; and set amr $HOME/(string sub -s 3 -- $amr)
    if string match -q -- '*/*' $amr
        test -x "$amr" -a ! -d "$amr"; or set amr amr
    else
        command -sq -- $amr; or set amr amr
    end
    echo $amr
end

# The profile names: `amr profile list`, under a short timeout.
function __amr_profiles
    set -l limit
    command -sq timeout; and set limit timeout 2
    $limit (__amr_program) profile list </dev/null 2>/dev/null
end

# The server's channels now, CHANNEL<TAB>SUBSCRIBERS lines: `amr channels $argv`, run with
# the connection options of the command line (the environment and ./.env count as
# usual) and a short timeout. Prints nothing when it cannot connect.
function __amr_live_channels
    set -l tokens (commandline -opc)
    set -l amr (__amr_program)
    set -l connection_options --url -H --host -p --port --user -a --password --token-command \
        --cacert --capath --cert --key --sni --env-file --profile
    set -l value_options --connect-timeout --proto-max-bulk-len --preset --event -f --field -o --output \
        --min-receivers -c --channel --count --timeout -F --format --template --buffer \
        --reconnect-max --ping-interval --file --window --interval --rate --idle-timeout --exclude \
        --exec --jobs --replies --reply-field --reply-to --pace --speed
    set -l args
    set -l take 0
    set -l skip 0
    for token in $tokens[2..-1]
        string match -q -- '~/*' $token; and set token $HOME/(string sub -s 3 -- $token)
        if test $take = 1
            set -a args $token
            set take 0
        else if test $skip = 1
            set skip 0
        else if contains -- $token $connection_options
            set -a args $token
            set take 1
        else if contains -- $token $value_options
            set skip 1
        else if contains -- $token --tls --no-tls --insecure --no-env-file
            set -a args $token
        else if string match -qr -- '^--(url|host|port|user|password|token-command|cacert|capath|cert|key|sni|env-file|profile)=' $token
            set -l parts (string split -m 1 = -- $token)
            string match -q -- '~/*' $parts[2]; and set parts[2] $HOME/(string sub -s 3 -- $parts[2])
            set -a args $parts[1]=$parts[2]
        else if string match -qr -- '^-[Hpa].' $token
            set -a args (string sub -l 2 -- $token) (string sub -s 3 -- $token)
        end
    end
    # A last connection option without its value is left out.
    test $take = 1; and set -e args[-1]
    set -l limit
    command -sq timeout; and set limit timeout 2
    $limit $amr $args -q --connect-timeout 1 channels $argv </dev/null 2>/dev/null
end

# The lab's channels, then the server's (with a description: its subscriber count). With
# --sharded on the command line (publish and broadcast send with SPUBLISH), only the
# server's shard channels.
function __amr_channels
    if contains -- --sharded (commandline -opc)
        __amr_shard_channels
        return
    end
    set -l lab orders:created orders:shipped inventory:alerts notifications
    printf '%s\n' \
        "orders:created"\t"order_created events" \
        "orders:shipped"\t"order_shipped events" \
        "inventory:alerts"\t"inventory_low events" \
        "notifications"\t"notifications and announcements"
    __amr_live_channels | while read -l -d \t name count
        test -n "$name"; and not contains -- $name $lab; and printf '%s\tlive, %s subscribed\n' $name $count
    end
end

function __amr_shard_channels
    __amr_live_channels --sharded | while read -l -d \t name count
        test -n "$name"; and printf '%s\tlive, %s subscribed\n' $name $count
    end
end

# Positional arguments are channels, patterns or messages, not files.
complete -c amr -f

# Commands
complete -c amr -n $no_command -a publish -d 'Publish one message to a channel'
complete -c amr -n $no_command -a broadcast -d 'Publish the same message to several channels'
complete -c amr -n $no_command -a subscribe -d 'Print the messages of channels'
complete -c amr -n $no_command -a psubscribe -d 'Print the messages of channels matching patterns'
complete -c amr -n $no_command -a ssubscribe -d 'Print the messages of shard channels, from every shard'
complete -c amr -n $no_command -a request -d 'Publish a request with a reply channel and print the replies'
complete -c amr -n $no_command -a reply -d 'Answer requests on their reply channels'
complete -c amr -n $no_command -a channels -d 'List active channels with subscriber counts'
complete -c amr -n $no_command -a ping -d 'Check the connection and authentication'
complete -c amr -n $no_command -a profile -d 'List profiles (named .env files) and show what they hold'
complete -c amr -n $no_command -a check -d 'Probe a server: subscribe, publish, time the round trip'
complete -c amr -n $no_command -a top -d 'Show the traffic per channel, refreshed'
complete -c amr -n $no_command -a bench -d 'Measure pub/sub throughput and end-to-end latency'

# Global options, before or after the command
complete -c amr -l url -x -a 'redis:// rediss://' -d 'Connection URL'
complete -c amr -s H -l host -x -a '(__fish_print_hostnames)' -d 'Server host name'
complete -c amr -s p -l port -x -d 'Server port (default 10000)'
complete -c amr -l user -x -d 'User name for AUTH'
complete -c amr -s a -l password -x -d 'Password or access key (visible in the process list)'
complete -c amr -l tls -d 'Use TLS (the default)'
complete -c amr -l no-tls -d 'Connect without TLS'
complete -c amr -l cacert -r -F -d 'Trust the CA certificates in FILE'
complete -c amr -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the CA certificates in DIR'
complete -c amr -l cert -r -F -d 'Client certificate'
complete -c amr -l key -r -F -d 'Private key of the client certificate'
complete -c amr -l sni -x -a '(__fish_print_hostnames)' -d 'TLS server name (default: the host)'
complete -c amr -l insecure -d 'Do not verify the certificate chain or host name'
complete -c amr -l env-file -r -F -d 'Read settings from FILE instead of ./.env'
complete -c amr -l no-env-file -d 'Read no .env file'
complete -c amr -l profile -x -a '(__amr_profiles)' -d 'Read settings from the profile NAME instead of ./.env'
complete -c amr -l connect-timeout -x -d 'Connect time limit in seconds (default 30)'
complete -c amr -l proto-max-bulk-len -x -d 'Longest string a reply may carry (default 512MiB)'
complete -c amr -l token-command -x -d 'Microsoft Entra ID: command printing an access token'
complete -c amr -s v -l verbose -d 'Print debug messages'
complete -c amr -s q -l quiet -d 'Print only errors'
complete -c amr -l version -d 'Print the version and exit'
complete -c amr -s h -l help -d 'Print help and exit'

# publish and broadcast
complete -c amr -n $message_command -l raw -d 'Send MESSAGE as it is, without checking that it is JSON'
set -l presets "
    order_created\t'order event on orders:created'
    order_shipped\t'shipping event on orders:shipped'
    inventory_low\t'low-stock alert on inventory:alerts'
    customer_notification\t'promotion on notifications'
    system_announcement\t'maintenance notice on notifications'"
complete -c amr -n $message_command -l preset -x -d 'Send one of the lab\'s events' -a $presets
complete -c amr -n $message_command -l event -x -d 'Build {"event": NAME, ...} from --field options'
complete -c amr -n $message_command -s f -l field -x -d 'Add a field: KEY=VALUE (string) or KEY:=JSON (typed)'
complete -c amr -n $message_command -s o -l output -x -d 'What to print' -a "
    auto\t'report on a terminal, else count'
    report\t'the lab\'s report'
    count\t'receiver counts only'
    json\t'one JSON object'"
complete -c amr -n $message_command -l sharded -d 'Shard channels: SPUBLISH to the shard that owns each channel'
complete -c amr -n $message_command -l cluster -d 'With --sharded: require a Redis Cluster (default: detected)'
complete -c amr -n $message_command -l min-receivers -x -d 'Exit 5 when fewer subscribers received it'
complete -c amr -n $message_command -l lines -d 'Send every line of stdin as one message'
complete -c amr -n $message_command -l file -r -F -d 'Send every line of FILE as one message'
complete -c amr -n $message_command -l skip-invalid -d 'Report lines that are not JSON and go on without them'
complete -c amr -n $message_command -l window -x -d 'PUBLISH commands in flight at most (default 1000)'
complete -c amr -n $message_command -l retry -d 'Reconnect and send again from the first unconfirmed message'
complete -c amr -n $message_command -l reconnect-max -x -d 'With --retry, give up after N failed attempts'
complete -c amr -n $message_command -l count -x -d 'Send N messages, each made afresh (placeholders expanded)'
complete -c amr -n $message_command -l interval -x -d 'Send a message every DURATION (10s, 500ms)'
complete -c amr -n $message_command -l rate -x -d 'Send R messages per second (100, 2.5)'
complete -c amr -n $message_command -l expand -d 'Expand placeholders such as {{count}} in one message too'
complete -c amr -n '__fish_seen_subcommand_from publish' -l envelope -d 'Every line is a message as subscribe -j writes it, sent to its own channel'
complete -c amr -n '__fish_seen_subcommand_from publish' -l pace -x -d 'With --envelope, replay with the gaps between received_at' -a "received\t'the gaps between the lines\' received_at'"
complete -c amr -n '__fish_seen_subcommand_from publish' -l speed -x -d 'With --pace received, scale the gaps (2 is twice as fast)'
complete -c amr -n '__fish_seen_subcommand_from broadcast' -s c -l channel -x -d 'A channel to send to' \
    -a '(__amr_channels)'

# subscribe, psubscribe and ssubscribe
complete -c amr -n $subscribe_command -l count -x -d 'Exit after N messages'
complete -c amr -n $subscribe_command -l timeout -x -d 'Stop after DURATION (10, 10s, 500ms, 2m)'
set -l formats "
    pretty\t'the lab\'s display (default)'
    json\t'one JSON object per line'
    raw\t'the payload and a newline'
    template\t'through --template'"
complete -c amr -n $subscribe_command -s F -l format -x -d 'How each message is written' -a $formats
complete -c amr -n $subscribe_command -l template -x -d 'Print each message through TEMPLATE (implies --format template)'
complete -c amr -n $subscribe_command -s j -l json -d 'Short for --format json'
complete -c amr -n $subscribe_command -l buffer -x -d 'Memory for messages stdout has not taken (default 256MiB)'
complete -c amr -n $subscribe_command -l no-reconnect -d 'Exit 3 when the connection is lost'
complete -c amr -n $subscribe_command -l reconnect-max -x -d 'Give up after N failed reconnect attempts'
complete -c amr -n $subscribe_command -l ping-interval -x -d 'PING after this much silence (default 60s)'
complete -c amr -n $subscribe_command -l idle-timeout -x -d 'Stop after DURATION without a message'
complete -c amr -n $subscribe_command -l exclude -x -d 'Drop messages whose channel matches PATTERN (glob)'
complete -c amr -n $subscribe_command -l exec -x -a '(__fish_complete_command)' -d 'Run CMD for each message, the payload on its stdin'
complete -c amr -n $subscribe_command -l jobs -x -d 'With --exec: run up to N commands at once (default 1)'
complete -c amr -n $subscribe_command -l exec-fail-fast -d 'With --exec: stop at the first failed command, exit 1'
complete -c amr -n '__fish_seen_subcommand_from subscribe psubscribe' -l interactive \
    -d 'Read subscription changes on standard input (help lists them)'

# request and reply
set -l request_command "__fish_seen_subcommand_from request"
set -l reply_command "__fish_seen_subcommand_from reply"
complete -c amr -n $request_command -l preset -x -d 'Build one of the lab\'s events' -a $presets
complete -c amr -n $request_command -l event -x -d 'Build {"event": NAME, ...} from --field options'
complete -c amr -n $request_command -s f -l field -x -d 'Add a field: KEY=VALUE (string) or KEY:=JSON (typed)'
complete -c amr -n $request_command -s F -l format -x -d 'How each reply is written' -a $formats
complete -c amr -n $request_command -l template -x -d 'Print each reply through TEMPLATE (implies --format template)'
complete -c amr -n $request_command -s j -l json -d 'Short for --format json'
complete -c amr -n $request_command -l replies -x -d 'Exit 0 after N replies (default 1)'
complete -c amr -n $request_command -l timeout -x -d 'Wait at most DURATION (default 5s); exit 124 with fewer replies'
complete -c amr -n $request_command -l reply-to -x -d 'Reply channel (default amr:reply:UUID)'
complete -c amr -n '__fish_seen_subcommand_from request reply' -l reply-field -x -d 'The field naming the reply channel (default reply_to)'
complete -c amr -n $reply_command -l pattern -d 'The channels are glob-style patterns (PSUBSCRIBE)'
complete -c amr -n $reply_command -l echo -d 'Reply with the request itself'
complete -c amr -n $reply_command -l exec -x -a '(__fish_complete_command)' -d 'Reply with what CMD prints, the request on its stdin'
complete -c amr -n $reply_command -l count -x -d 'Exit after N requests'
complete -c amr -n $reply_command -l ping-interval -x -d 'PING after this much silence (default 60s)'

# ssubscribe and channels
complete -c amr -n '__fish_seen_subcommand_from ssubscribe channels' -l cluster -d 'Require a Redis Cluster (default: detected)'

# channels
complete -c amr -n '__fish_seen_subcommand_from channels' -l sharded -d 'Shard channels (SSUBSCRIBE) instead of ordinary ones'
complete -c amr -n '__fish_seen_subcommand_from channels' -s o -l output -x -d 'What to print' -a "
    text\t'CHANNEL<TAB>COUNT lines'
    json\t'one JSON object'"

# ping
complete -c amr -n '__fish_seen_subcommand_from ping' -s o -l output -x -d 'What to print' -a "
    text\t'one line for people'
    json\t'one JSON object'"

# check
set -l check_command '__fish_seen_subcommand_from check'
complete -c amr -n $check_command -l channel -x -d 'Probe on CHANNEL (default: a fresh amr:check:<random>)'
complete -c amr -n $check_command -l count -x -d 'Run N probes (default 1)'
complete -c amr -n $check_command -l warn -x -d 'A round trip longer than DURATION is a warning'
complete -c amr -n $check_command -l critical -x -d 'A round trip longer than DURATION is critical'
complete -c amr -n $check_command -l all-shards -d 'Probe every primary of a cluster with SPUBLISH'
complete -c amr -n $check_command -s o -l output -x -d 'What to print' -a "
    text\t'one line per result'
    json\t'one JSON object'
    nagios\t'a Nagios plugin status line'
    prometheus\t'Prometheus text format'"

# top
set -l top_command '__fish_seen_subcommand_from top'
complete -c amr -n $top_command -l interval -x -d 'Refresh every DURATION (default 1s)'
complete -c amr -n $top_command -l count -x -d 'Exit after N intervals'
complete -c amr -n $top_command -l limit -x -d 'Show at most the N busiest channels'
complete -c amr -n $top_command -s o -l output -x -d 'What to print' -a "
    auto\t'a table on a terminal, JSON lines otherwise'
    json\t'JSON lines'"

# bench
set -l bench_command '__fish_seen_subcommand_from bench'
complete -c amr -n $bench_command -l publishers -x -d 'Publishing connections (default 1)'
complete -c amr -n $bench_command -l subscribers -x -d 'Subscribing connections (default 1; 0: publish only)'
complete -c amr -n $bench_command -l channels -x -d 'Channels PREFIX:0 to PREFIX:K-1 (default 1)'
complete -c amr -n $bench_command -l subscribers-per-channel -x -d 'Subscribers on each channel (default: all)'
complete -c amr -n $bench_command -l size -x -d 'Payload size (default 128, at least 45)'
complete -c amr -n $bench_command -l rate -x -d 'Messages per second in total (default: as fast as the window allows)'
complete -c amr -n $bench_command -l window -x -d 'PUBLISH commands in flight per connection (default 1000)'
complete -c amr -n $bench_command -l duration -x -d 'Publish for DURATION after the warm-up (default 10s)'
complete -c amr -n $bench_command -l messages -x -d 'Publish N messages in total, then stop'
complete -c amr -n $bench_command -l warmup -x -d 'Publish DURATION first without counting it'
complete -c amr -n $bench_command -l pattern -d 'Subscribe with PSUBSCRIBE'
complete -c amr -n $bench_command -l sharded -d 'SPUBLISH and SSUBSCRIBE, channels spread over every shard'
complete -c amr -n $bench_command -l threads -x -d 'Threads, each one event loop (default: the CPUs)'
complete -c amr -n $bench_command -l prefix -x -d 'Channel name prefix (default bench)'
complete -c amr -n $bench_command -l csv -r -F -d 'Write one CSV row per second to FILE'
complete -c amr -n $bench_command -l max-loss -x -d 'Exit 5 when more than N messages were lost'
complete -c amr -n $bench_command -s o -l output -x -d 'What to print' -a "
    text\t'the report on stderr'
    json\t'one JSON object on stdout'"

# profile list|show NAME|path NAME
complete -c amr -n '__amr_wants_first_positional profile' -a "
    list\t'the profile names, one per line'
    show\t'the settings a profile holds, secrets hidden'
    path\t'the file of a profile, whether it exists or not'"
complete -c amr -n '__amr_wants_first_positional profile 1; and __fish_seen_subcommand_from show path' \
    -a '(__amr_profiles)'
complete -c amr -n '__fish_seen_subcommand_from profile; and __fish_seen_subcommand_from list show' \
    -s o -l output -x -d 'What to print' -a "
    text\t'names, or NAME=VALUE lines'
    json\t'one JSON object'"

# Channels and patterns: the lab's channels and, live, the server's (`amr channels`)
complete -c amr -n '__amr_wants_first_positional publish; or __amr_wants_first_positional request; or __fish_seen_subcommand_from subscribe reply' \
    -a '(__amr_channels)'
complete -c amr -n '__fish_seen_subcommand_from ssubscribe' -a '(__amr_shard_channels)'
complete -c amr -n '__amr_wants_first_positional channels; or __fish_seen_subcommand_from psubscribe top' -a "
    'orders:*'\t'all order events'
    'inventory:*'\t'all inventory events'
    notifications\t'notifications'
    '*'\t'every channel'"
