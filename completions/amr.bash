# bash completion for amr(1), the Redis publish/subscribe client.    -*- shell-script -*-
# Installed as bash-completion/completions/amr; works best with bash-completion loaded.

_amr_commands='publish broadcast subscribe psubscribe ssubscribe request reply channels ping profile check top bench'
_amr_presets='order_created order_shipped inventory_low customer_notification system_announcement'
_amr_channels='orders:created orders:shipped inventory:alerts notifications'
_amr_patterns='orders:* inventory:* notifications *'

_amr_global_opts='--url -H --host -p --port --user -a --password --tls --no-tls --cacert
    --capath --cert --key --sni --insecure --env-file --no-env-file --profile --connect-timeout
    --proto-max-bulk-len --token-command -v --verbose -q --quiet --version -h --help'
_amr_message_opts='--raw --preset --event -f --field -o --output --sharded --cluster
    --min-receivers --lines --file --skip-invalid --window --retry --reconnect-max --count
    --interval --rate --expand'
_amr_subscribe_opts='--count --timeout -F --format --template -j --json --buffer --no-reconnect
    --reconnect-max --ping-interval --idle-timeout --exclude --exec --jobs --exec-fail-fast'
_amr_request_opts='--preset --event -f --field -F --format --template -j --json --replies --timeout
    --reply-field --reply-to'
_amr_reply_opts='--pattern --echo --exec --reply-field --count --ping-interval'
_amr_bench_opts='--publishers --subscribers --channels --subscribers-per-channel --size --rate
    --window --duration --messages --warmup --pattern --sharded --threads --prefix --csv
    --max-loss -o --output'

# Options that take a value, global or of any command: the value is not a positional.
_amr_value_opts='--url -H --host -p --port --user -a --password --cacert --capath --cert
    --key --sni --env-file --profile --connect-timeout --proto-max-bulk-len --token-command --preset --event -f --field -o --output
    --min-receivers -c --channel --count --timeout -F --format --template --buffer
    --reconnect-max --ping-interval --file --window --interval --rate
    --idle-timeout --exclude --exec --jobs --replies --reply-field --reply-to --pace --speed
    --warn --critical --limit
    --publishers --subscribers --channels --subscribers-per-channel --size --duration --messages
    --warmup --threads --prefix --csv --max-loss'

# Connection options, passed on to `amr channels` when channel names are completed.
_amr_connection_value_opts='--url -H --host -p --port --user -a --password --token-command
    --cacert --capath --cert --key --sni --env-file --profile'

# Readline inserts a completion after the last ':' of the word (':' is in
# COMP_WORDBREAKS), so the part of $cur up to that colon comes off each reply.
_amr_ltrim_colons() {
    if declare -F __ltrim_colon_completions >/dev/null; then
        __ltrim_colon_completions "$cur"
    elif [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local colon_word=${cur%"${cur##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$colon_word"}
        done
    fi
}

# Sets COMPREPLY to the words of $1 that start with $cur; keeps ':' inside words working.
_amr_reply_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
    _amr_ltrim_colons
}

# Sets COMPREPLY to the arguments that start with $cur, each once, quoted for the shell.
# Unlike compgen -W, nothing in them is expanded: channel names come from the server.
_amr_reply_names() {
    local name quoted prefix seen=$'\n'
    prefix=$(_amr_dequote "$cur")
    COMPREPLY=()
    for name; do
        [[ -n $name && $name == "$prefix"* && $seen != *$'\n'"$name"$'\n'* ]] || continue
        seen+=$name$'\n'
        printf -v quoted %q "$name"
        COMPREPLY+=("$quoted")
    done
    _amr_ltrim_colons
}

# A word as the shell would pass it, for the simple cases: '...', "..." without
# expansions, backslash escapes and a leading ~/. Never evaluates the word.
_amr_dequote() {
    local w=$1 unescaped='' i
    if [[ $w == \'*\' ]]; then
        w=${w:1:${#w}-2}
    elif [[ $w == \"*\" && $w != *[\$\`]* ]]; then
        w=${w:1:${#w}-2}
    elif [[ $w == *\\* ]]; then
        for ((i = 0; i < ${#w}; i++)); do
            [[ ${w:i:1} == \\ ]] && ((i++))
            unescaped+=${w:i:1}
        done
        w=$unescaped
    fi
    [[ $w == \~/* ]] && w=$HOME/${w:2}
    printf '%s' "$w"
}

# Sets amr to the amr of the command line (words[0]), or amr on PATH.
_amr_program() {
    amr=${words[0]}
    [[ $amr == \~/* ]] && amr=$HOME/${amr:2}
    type -P -- "$amr" >/dev/null 2>&1 || amr=amr
}

# Sets COMPREPLY to the profile names (`amr profile list`, under a short timeout) that
# start with $cur.
_amr_reply_profiles() {
    local amr
    local -a limit=() names
    _amr_program
    type -P timeout >/dev/null 2>&1 && limit=(timeout 2)
    mapfile -t names < <("${limit[@]}" "$amr" profile list </dev/null 2>/dev/null)
    _amr_reply_names "${names[@]}"
}

# Prints the channel names the server has now, one a line: `amr channels` (with $1, e.g.
# --sharded), run with the connection options on the command line (and the environment
# and ./.env as usual) and a short timeout. Prints nothing when it cannot connect.
_amr_live_channels() {
    local amr i w name
    local -a argv=() limit=()
    _amr_program
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ " ${_amr_connection_value_opts//$'\n'/ } " == *" $w "* ]]; then
            ((i + 1 < cword)) && argv+=("$w" "$(_amr_dequote "${words[i + 1]}")")
            ((i++))
            continue
        fi
        case $w in
            --tls | --no-tls | --insecure | --no-env-file) argv+=("$w") ;;
            --url=* | --host=* | --port=* | --user=* | --password=* | --token-command=* | \
                --cacert=* | --capath=* | --cert=* | --key=* | --sni=* | --env-file=* | --profile=*)
                argv+=("${w%%=*}=$(_amr_dequote "${w#*=}")")
                ;;
            -H?* | -p?* | -a?*) argv+=("${w:0:2}" "$(_amr_dequote "${w:2}")") ;;
            -*) [[ " ${_amr_value_opts//$'\n'/ } " == *" $w "* ]] && ((i++)) ;;
        esac
    done
    type -P timeout >/dev/null 2>&1 && limit=(timeout 2)
    "${limit[@]}" "$amr" "${argv[@]}" -q --connect-timeout 1 channels "$@" </dev/null 2>/dev/null |
        while IFS=$'\t' read -r name _; do
            printf '%s\n' "$name"
        done
}

# Sets COMPREPLY to the lab's channels ($1, static) and the server's (live, with $2 as
# the option of `amr channels`) that start with $cur. With --sharded on the command line
# (publish and broadcast send with SPUBLISH) only the server's shard channels.
_amr_reply_channels() {
    local -a names
    if [[ " ${words[*]:1:cword-1} " == *" --sharded "* ]]; then
        set -- '' --sharded
    fi
    read -ra names <<<"$1"
    mapfile -t -O "${#names[@]}" names < <(_amr_live_channels ${2:+"$2"})
    _amr_reply_names "${names[@]}"
}

_amr_reply_files() {
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    elif [[ $1 == -d ]]; then
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

_amr() {
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s -n : || return
    else
        # Without bash-completion: the words up to the cursor, split at blanks only, so
        # that 'orders:created' stays one word (COMP_WORDS splits it at the colon).
        local line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        [[ -z $line || $line == *[[:blank:]] ]] && words+=('')
        cword=$((${#words[@]} - 1))
        cur=${words[cword]}
        prev=${words[cword - 1]}
    fi

    # The command, and how many positional arguments follow it before the cursor.
    local i word command='' subcommand='' positionals=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --*=*) ;;
            -*) [[ " ${_amr_value_opts//$'\n'/ } " == *" $word "* ]] && ((i++)) ;;
            *)
                if [[ -z $command ]]; then
                    command=$word
                else
                    ((positionals++ == 0)) && subcommand=$word
                fi
                ;;
        esac
    done

    case $prev in
        --cacert | --cert | --key | --env-file | --file)
            _amr_reply_files
            return
            ;;
        --capath)
            _amr_reply_files -d
            return
            ;;
        --url)
            _amr_reply_words 'redis:// rediss://'
            compopt -o nospace 2>/dev/null
            return
            ;;
        -H | --host | --sni)
            if declare -F _known_hosts_real >/dev/null; then
                _known_hosts_real -- "$cur"
            fi
            return
            ;;
        --preset)
            _amr_reply_words "$_amr_presets"
            return
            ;;
        --profile)
            _amr_reply_profiles
            return
            ;;
        -o | --output)
            if [[ $command == ping || $command == channels || $command == profile || $command == bench ]]; then
                _amr_reply_words 'text json'
            elif [[ $command == check ]]; then
                _amr_reply_words 'text json nagios prometheus'
            elif [[ $command == top ]]; then
                _amr_reply_words 'auto json'
            else
                _amr_reply_words 'auto report count json'
            fi
            return
            ;;
        -F | --format)
            _amr_reply_words 'pretty json raw template'
            return
            ;;
        -c | --channel)
            _amr_reply_channels "$_amr_channels"
            return
            ;;
        --pace)
            _amr_reply_words 'received'
            return
            ;;
        -p | --port | --user | -a | --password | --connect-timeout | --token-command | --event | -f | --field | \
            --min-receivers | --count | --timeout | --template | --buffer | --reconnect-max | --ping-interval | \
            --window | --interval | --rate | --idle-timeout | --exclude | --jobs | --replies | --reply-field | --reply-to | --speed | \
            --warn | --critical | --limit)
            return
            ;;
        --publishers | --subscribers | --channels | --subscribers-per-channel | --size | --duration | \
            --messages | --warmup | --threads | --prefix | --max-loss)
            return
            ;;
        --csv)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return
            ;;
        --exec)
            mapfile -t COMPREPLY < <(compgen -c -- "$cur")
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        local opts=$_amr_global_opts
        case $command in
            publish) opts+=" $_amr_message_opts --envelope --pace --speed" ;;
            broadcast) opts+=" $_amr_message_opts -c --channel" ;;
            subscribe | psubscribe) opts+=" $_amr_subscribe_opts --interactive" ;;
            ssubscribe) opts+=" $_amr_subscribe_opts --cluster" ;;
            request) opts+=" $_amr_request_opts" ;;
            reply) opts+=" $_amr_reply_opts" ;;
            channels) opts+=' --sharded --cluster -o --output' ;;
            ping) opts+=' -o --output' ;;
            check) opts+=' --channel --count --warn --critical -o --output --all-shards' ;;
            top) opts+=' --interval --count --limit -o --output' ;;
            bench) opts+=" $_amr_bench_opts" ;;
            profile) [[ $subcommand == list || $subcommand == show ]] && opts+=' -o --output' ;;
        esac
        _amr_reply_words "$opts"
        return
    fi

    case $command in
        '') _amr_reply_words "$_amr_commands" ;;
        publish) ((positionals == 0)) && _amr_reply_channels "$_amr_channels" ;;
        subscribe | reply) _amr_reply_channels "$_amr_channels" ;;
        request) ((positionals == 0)) && _amr_reply_channels "$_amr_channels" ;;
        ssubscribe) _amr_reply_channels '' --sharded ;;
        psubscribe | top) _amr_reply_words "$_amr_patterns" ;;
        channels) ((positionals == 0)) && _amr_reply_words "$_amr_patterns" ;;
        profile)
            if ((positionals == 0)); then
                _amr_reply_words 'list show path'
            elif ((positionals == 1)) && [[ $subcommand == show || $subcommand == path ]]; then
                _amr_reply_profiles
            fi
            ;;
    esac
}

complete -F _amr amr
