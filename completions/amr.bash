# bash completion for amr(1), the Redis publish/subscribe client.    -*- shell-script -*-
# Installed as bash-completion/completions/amr; works best with bash-completion loaded.

_amr_commands='publish broadcast subscribe psubscribe ssubscribe channels ping'
_amr_presets='order_created order_shipped inventory_low customer_notification system_announcement'
_amr_channels='orders:created orders:shipped inventory:alerts notifications'
_amr_patterns='orders:* inventory:* notifications *'

_amr_global_opts='--url -H --host -p --port --user -a --password --tls --no-tls --cacert
    --capath --cert --key --sni --insecure --env-file --no-env-file --connect-timeout --token-command
    -v --verbose -q --quiet --version -h --help'
_amr_message_opts='--raw --preset --event -f --field -o --output --min-receivers
    --lines --file --skip-invalid --window --retry --reconnect-max'
_amr_subscribe_opts='--count --timeout -F --format --template -j --json --buffer --no-reconnect
    --reconnect-max --ping-interval'

# Options that take a value, global or of any command: the value is not a positional.
_amr_value_opts='--url -H --host -p --port --user -a --password --cacert --capath --cert
    --key --sni --env-file --connect-timeout --token-command --preset --event -f --field -o --output
    --min-receivers -c --channel --count --timeout -F --format --template --buffer
    --reconnect-max --ping-interval --file --window'

# Sets COMPREPLY to the words of $1 that start with $cur; keeps ':' inside words working.
_amr_reply_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
    if declare -F __ltrim_colon_completions >/dev/null; then
        __ltrim_colon_completions "$cur"
    fi
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
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    # The command, and how many positional arguments follow it before the cursor.
    local i word command='' positionals=0
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --*=*) ;;
            -*) [[ " ${_amr_value_opts//$'\n'/ } " == *" $word "* ]] && ((i++)) ;;
            *)
                if [[ -z $command ]]; then
                    command=$word
                else
                    ((positionals++))
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
        -o | --output)
            if [[ $command == ping || $command == channels ]]; then
                _amr_reply_words 'text json'
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
            _amr_reply_words "$_amr_channels"
            return
            ;;
        -p | --port | --user | -a | --password | --connect-timeout | --token-command | --event | -f | --field | \
            --min-receivers | --count | --timeout | --template | --buffer | --reconnect-max | --ping-interval | \
            --window)
            return
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        local opts=$_amr_global_opts
        case $command in
            publish) opts+=" $_amr_message_opts" ;;
            broadcast) opts+=" $_amr_message_opts -c --channel" ;;
            subscribe | psubscribe) opts+=" $_amr_subscribe_opts" ;;
            ssubscribe) opts+=" $_amr_subscribe_opts --cluster" ;;
            channels) opts+=' --sharded --cluster -o --output' ;;
            ping) opts+=' -o --output' ;;
        esac
        _amr_reply_words "$opts"
        return
    fi

    case $command in
        '') _amr_reply_words "$_amr_commands" ;;
        publish) ((positionals == 0)) && _amr_reply_words "$_amr_channels" ;;
        subscribe) _amr_reply_words "$_amr_channels" ;;
        psubscribe) _amr_reply_words "$_amr_patterns" ;;
        channels) ((positionals == 0)) && _amr_reply_words "$_amr_patterns" ;;
    esac
}

complete -F _amr amr
