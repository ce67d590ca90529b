#!/usr/bin/env bash
# Deploys the lab's Azure Managed Redis (AMR) resource with the Azure CLI and writes the
# .env that amr reads. Without a command it shows the lab's menu.
#
#   scripts/azdeploy.sh [OPTIONS]            the menu: 1 create, 2 status, 3 env, 4 exit
#   scripts/azdeploy.sh create -g RG -l LOC  create the resource group if missing, then
#                                            start creating the AMR resource (5-10 min)
#   scripts/azdeploy.sh status -g RG         print the provisioning state of the cluster
#                                            and of its database
#   scripts/azdeploy.sh env    -g RG         create the database if missing, write .env
#                                            (or the amr profile of --profile NAME)
#   scripts/azdeploy.sh delete -g RG         delete the resource group and all it holds
#
# -g, --resource-group NAME  resource group (default $AMR_RESOURCE_GROUP); required
# -l, --location REGION      Azure region for create (default $AMR_LOCATION)
# --entra                    env: sign in with Microsoft Entra ID instead of an access
#                            key: assign the signed-in user the database's default access
#                            policy and write REDIS_USER and REDIS_TOKEN_COMMAND
# --env-file FILE            the .env to write (default ./.env); written with mode 600
# --profile NAME             write the amr profile NAME instead of ./.env:
#                            ${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env (mode 600, its
#                            directory made with mode 700), read by amr --profile NAME;
#                            NAME is letters, digits, '_', '-' and '.', not starting with
#                            '.' or '-'; cannot be combined with --env-file
# -y, --yes                  delete without asking
# -h, --help                 this help
#
# The AMR resource is named amr-exercise- and the first 8 hex digits of the SHA-1 of the
# signed-in user's object id, as in the lab. Needs the Azure CLI, signed in (az login),
# with the redisenterprise extension (az extension add --name redisenterprise).
#
# stdout carries data only: status prints "cluster NAME STATE" and "database default
# STATE" (STATE is NotCreated when there is none), env prints the path of the .env.
# Everything else goes to stderr. The access key goes to the .env only, never to the
# terminal.
#
# Exit status: 0 done; 1 an az command failed, or delete was not confirmed; 2 usage
# error; 3 az not found; 4 not signed in to Azure; 5 the redisenterprise extension is
# missing; 6 not ready (status: cluster or database not Succeeded; env: cluster not
# Succeeded).
set -uo pipefail

EXIT_FAILED=1 EXIT_USAGE=2 EXIT_NO_AZ=3 EXIT_NO_LOGIN=4 EXIT_NO_EXTENSION=5 EXIT_NOT_READY=6
DATABASE=default # AMR has one database per cluster, always named default
ASSIGNMENT=useraccess
TOKEN_COMMAND='az account get-access-token --scope https://redis.azure.com/.default --query accessToken -o tsv'

say() { echo "azdeploy: $*" >&2; }
usage() {
    local text
    text=$(sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//')
    if [ "${1:-2}" = 0 ]; then echo "$text"; else echo "$text" >&2; fi
    exit "${1:-$EXIT_USAGE}"
}
usage_error() {
    say "$*"
    say "run scripts/azdeploy.sh --help for usage"
    exit "$EXIT_USAGE"
}

command=menu
rg=${AMR_RESOURCE_GROUP:-}
location=${AMR_LOCATION:-}
entra=0
env_file=.env
env_file_given=0
profile=
yes=0
command_given=0
while [ $# -gt 0 ]; do
    case "$1" in
        create | status | env | delete | menu)
            [ "$command_given" = 0 ] || usage_error "one command only, got '$command' and '$1'"
            command=$1
            command_given=1
            shift
            ;;
        -g | --resource-group | -l | --location | --env-file | --profile)
            if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
            case "$1" in
                -g | --resource-group) rg=$2 ;;
                -l | --location) location=$2 ;;
                --env-file) env_file=$2 env_file_given=1 ;;
                --profile) profile=$2 ;;
            esac
            shift 2
            ;;
        --resource-group=* | --location=* | --env-file=* | --profile=*)
            [ -n "${1#*=}" ] || usage_error "${1%%=*} needs a value"
            case "$1" in
                --resource-group=*) rg=${1#*=} ;;
                --location=*) location=${1#*=} ;;
                --env-file=*) env_file=${1#*=} env_file_given=1 ;;
                --profile=*) profile=${1#*=} ;;
            esac
            shift
            ;;
        --entra)
            entra=1
            shift
            ;;
        -y | --yes)
            yes=1
            shift
            ;;
        -h | --help | help) usage 0 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done

# amr's profile NAME: ${XDG_CONFIG_HOME:-~/.config}/amr/NAME.env, with amr's rules for
# names (config/profile.cpp) and for the directory (a relative XDG_CONFIG_HOME is ignored).
profile_env_file() {
    local dir LC_ALL=C # [A-Za-z] of ASCII only
    [ "$env_file_given" = 0 ] || usage_error "--profile and --env-file cannot be combined"
    if [ "${#profile}" -gt 64 ] || ! [[ $profile =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
        usage_error "--profile: '$(printf '%s' "$profile" | tr -c 'A-Za-z0-9_./-' '?')' is not a profile name (1 to 64 letters, digits, '_', '-' and '.', not starting with '.' or '-')"
    fi
    if [[ ${XDG_CONFIG_HOME:-} == /* ]]; then
        dir=$XDG_CONFIG_HOME/amr
    elif [ -n "${HOME:-}" ]; then
        dir=$HOME/.config/amr
    else
        usage_error "--profile: HOME is not set, and XDG_CONFIG_HOME is not an absolute path"
    fi
    env_file=$dir/$profile.env
}
[ -z "$profile" ] || profile_env_file

require_resource_group() {
    [ -n "$rg" ] || usage_error "no resource group: pass --resource-group NAME or set AMR_RESOURCE_GROUP"
}

# Runs an az command whose output nobody needs; shows its output only when it fails.
run_az() {
    local what=$1 output rc
    shift
    output=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -ne 0 ]; then
        say "$what failed (az exit status $rc)"
        [ -z "$output" ] || printf '%s\n' "$output" >&2
        return "$EXIT_FAILED"
    fi
}

check_az() {
    if ! command -v az >/dev/null 2>&1; then
        say "az (the Azure CLI) not found on PATH; install the Azure CLI, then run: az login"
        exit "$EXIT_NO_AZ"
    fi
    if ! az account show >/dev/null 2>&1; then
        say "not signed in to Azure (az account show failed); run: az login"
        exit "$EXIT_NO_LOGIN"
    fi
}

check_extension() {
    if ! az extension show --name redisenterprise >/dev/null 2>&1; then
        say "the Azure CLI extension redisenterprise is missing; run: az extension add --name redisenterprise"
        exit "$EXIT_NO_EXTENSION"
    fi
}

# The lab's name: the same user gets the same resource on every run and machine.
resolve_names() {
    object_id=$(az ad signed-in-user show --query id -o tsv 2>/dev/null | tr -d '\r')
    if [ -z "$object_id" ]; then
        say "cannot read the signed-in user's object id (az ad signed-in-user show);"
        say "sign in as a user with az login (a service principal has no signed-in user)"
        exit "$EXIT_NO_LOGIN"
    fi
    local hash
    hash=$(printf '%s' "$object_id" | sha1sum | cut -c1-8)
    cluster=amr-exercise-$hash
}

cluster_state() {
    az redisenterprise show --resource-group "$rg" --name "$cluster" \
        --query provisioningState -o tsv 2>/dev/null | tr -d '\r'
}

database_state() {
    az redisenterprise database show --resource-group "$rg" --cluster-name "$cluster" \
        --query provisioningState -o tsv 2>/dev/null | tr -d '\r'
}

do_create() {
    if [ -z "$location" ]; then
        say "no location: pass --location REGION (e.g. eastus2) or set AMR_LOCATION"
        return "$EXIT_USAGE"
    fi
    local exists state
    exists=$(az group exists --name "$rg" 2>/dev/null | tr -d '\r')
    if [ "$exists" = true ]; then
        say "resource group $rg exists"
    else
        run_az "creating resource group $rg" az group create --name "$rg" --location "$location" || return
        say "resource group $rg created in $location"
    fi
    state=$(cluster_state)
    case "$state" in
        '') ;;
        Failed | Canceled)
            say "$cluster exists but its deployment ended $state; delete it with"
            say "  az redisenterprise delete --resource-group $rg --name $cluster --yes"
            say "and create it again (another --location helps when the region lacks capacity)"
            return "$EXIT_FAILED"
            ;;
        *)
            say "$cluster already exists (provisioning state: $state)"
            return 0
            ;;
    esac
    run_az "creating $cluster" az redisenterprise create --resource-group "$rg" --name "$cluster" \
        --location "$location" --sku Balanced_B0 --public-network-access Enabled --no-database \
        --no-wait || return
    say "The Azure Managed Redis resource $cluster is being created and takes 5-10 minutes to complete."
    say "Check the deployment status with: scripts/azdeploy.sh status -g $rg"
}

do_status() {
    local cstate dstate
    cstate=$(cluster_state)
    dstate=
    [ -z "$cstate" ] || dstate=$(database_state)
    printf 'cluster %s %s\n' "$cluster" "${cstate:-NotCreated}"
    printf 'database %s %s\n' "$DATABASE" "${dstate:-NotCreated}"
    if [ "$cstate" != Succeeded ] || [ "$dstate" != Succeeded ]; then return "$EXIT_NOT_READY"; fi
}

# Writes stdin to $env_file through a new file of mode 600 in the same directory, so the
# secret is never in a file others can read, not even for a moment.
write_env_file() {
    local dir tmp
    dir=$(dirname -- "$env_file")
    # A profile's directory is made private, as the XDG specification asks (mode 700).
    if [ -n "$profile" ] && [ ! -d "$dir" ] && ! (umask 077 && mkdir -p -- "$dir"); then
        say "cannot create $dir"
        return "$EXIT_FAILED"
    fi
    tmp=$(umask 077 && mktemp "$dir/.azdeploy-env.XXXXXX") || {
        say "cannot create a file in $dir"
        return "$EXIT_FAILED"
    }
    if ! cat >"$tmp" || ! chmod 600 "$tmp" || ! mv -f -- "$tmp" "$env_file"; then
        rm -f -- "$tmp"
        say "cannot write $env_file"
        return "$EXIT_FAILED"
    fi
}

ensure_database() {
    local dstate keys_auth
    dstate=$(database_state)
    if [ -z "$dstate" ]; then
        say "creating the database (this takes a few minutes)"
        if [ "$entra" = 1 ]; then
            run_az "creating the database" az redisenterprise database create --resource-group "$rg" \
                --cluster-name "$cluster" --client-protocol Encrypted --clustering-policy NoCluster \
                --eviction-policy AllKeysLRU --port 10000 || return
        else
            run_az "creating the database" az redisenterprise database create --resource-group "$rg" \
                --cluster-name "$cluster" --client-protocol Encrypted --clustering-policy NoCluster \
                --eviction-policy AllKeysLRU --port 10000 --access-keys-auth Enabled || return
        fi
        return 0
    fi
    say "database exists (provisioning state: $dstate)"
    [ "$entra" = 0 ] || return 0
    keys_auth=$(az redisenterprise database show --resource-group "$rg" --cluster-name "$cluster" \
        --query accessKeysAuthentication -o tsv 2>/dev/null | tr -d '\r')
    [ "$keys_auth" != Enabled ] || return 0
    say "enabling access key authentication on the database"
    run_az "enabling access key authentication" az redisenterprise database update \
        --resource-group "$rg" --cluster-name "$cluster" --access-keys-auth Enabled
}

assign_access_policy() {
    local state
    state=$(az redisenterprise database access-policy-assignment show --resource-group "$rg" \
        --cluster-name "$cluster" --database-name "$DATABASE" \
        --access-policy-assignment-name "$ASSIGNMENT" --query provisioningState -o tsv \
        2>/dev/null | tr -d '\r')
    if [ -n "$state" ]; then
        say "the signed-in user already has the default access policy"
        return 0
    fi
    say "assigning the signed-in user the database's default access policy"
    run_az "assigning the access policy" az redisenterprise database access-policy-assignment \
        create --resource-group "$rg" --cluster-name "$cluster" --database-name "$DATABASE" \
        --access-policy-assignment-name "$ASSIGNMENT" --access-policy-name default \
        --object-id "$object_id"
}

do_env() {
    local cstate host key
    cstate=$(cluster_state)
    if [ "$cstate" != Succeeded ]; then
        say "$cluster is not ready (provisioning state: ${cstate:-NotCreated});"
        say "wait until status says Succeeded: scripts/azdeploy.sh status -g $rg"
        return "$EXIT_NOT_READY"
    fi
    ensure_database || return
    if [ "$entra" = 1 ]; then
        assign_access_policy || return
    fi
    host=$(az redisenterprise show --resource-group "$rg" --name "$cluster" --query hostName \
        -o tsv 2>/dev/null | tr -d '\r')
    if [ -z "$host" ]; then
        say "cannot read the host name of $cluster; check the deployment status"
        return "$EXIT_FAILED"
    fi
    [ ! -e "$env_file" ] || say "replacing $env_file"
    if [ "$entra" = 1 ]; then
        {
            printf '# written by scripts/azdeploy.sh: %s in %s, Microsoft Entra ID\n' "$cluster" "$rg"
            printf 'REDIS_HOST=%s\n' "$host"
            printf 'REDIS_USER=%s\n' "$object_id"
            printf "REDIS_TOKEN_COMMAND='%s'\n" "$TOKEN_COMMAND"
        } | write_env_file || return
        say "Endpoint: $host (Microsoft Entra ID, user $object_id)"
        say "wrote $env_file (mode 600): REDIS_HOST, REDIS_USER, REDIS_TOKEN_COMMAND"
    else
        key=$(az redisenterprise database list-keys --cluster-name "$cluster" --resource-group "$rg" \
            --query primaryKey -o tsv 2>/dev/null | tr -d '\r')
        if [ -z "$key" ]; then
            say "cannot read the access key of $cluster's database; check the deployment status"
            return "$EXIT_FAILED"
        fi
        {
            printf '# written by scripts/azdeploy.sh: %s in %s\n' "$cluster" "$rg"
            printf 'REDIS_HOST=%s\n' "$host"
            printf 'REDIS_KEY=%s\n' "$key"
        } | write_env_file || return
        say "Endpoint: $host"
        say "wrote $env_file (mode 600): REDIS_HOST, REDIS_KEY"
    fi
    printf '%s\n' "$env_file"
}

do_delete() {
    if [ "$yes" = 0 ]; then
        local answer=
        printf "azdeploy: delete resource group '%s' and every resource in it? [y/N] " "$rg" >&2
        read -r answer || true
        case "$answer" in
            y | Y | yes | YES | Yes) ;;
            *)
                say "not deleted"
                return "$EXIT_FAILED"
                ;;
        esac
    fi
    run_az "deleting resource group $rg" az group delete --name "$rg" --yes --no-wait || return
    say "resource group $rg is being deleted (in the background, in Azure)"
}

pause() {
    printf 'Press Enter to continue...' >&2
    read -r _ || exit 0
    echo >&2
}

menu() {
    local choice step
    if [ "$entra" = 1 ]; then
        step="Create database, assign Microsoft Entra ID access and write $env_file"
    else
        step="Create database and write $env_file (endpoint and access key)"
    fi
    while true; do
        {
            echo "====================================================================="
            echo "    Azure Managed Redis Deployment Menu"
            echo "====================================================================="
            echo "Resource Group: $rg"
            echo "Cache Name: $cluster"
            echo "Location: ${location:-(not set: --location)}"
            echo "====================================================================="
            echo "1. Create Azure Managed Redis resource"
            echo "2. Check deployment status"
            echo "3. $step"
            echo "4. Exit"
            echo "====================================================================="
            printf 'Please select an option (1-4): '
        } >&2
        read -r choice || {
            echo >&2
            exit 0
        }
        echo >&2
        case "$choice" in
            1) do_create ;;
            2) do_status ;;
            3) do_env >/dev/null ;;
            4) exit 0 ;;
            *) say "invalid option '$choice': select 1-4" ;;
        esac
        echo >&2
        pause
    done
}

require_resource_group
check_az
case "$command" in
    delete)
        do_delete
        exit
        ;;
esac
check_extension
resolve_names
case "$command" in
    create) do_create ;;
    status) do_status ;;
    env) do_env ;;
    menu) menu ;;
esac
