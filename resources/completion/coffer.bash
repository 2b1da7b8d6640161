# bash completion for coffer: commands, options, files, and contact names.
# @MARKER@
#
# Contact names come from "coffer contacts list --names-only --no-prompt",
# which never asks for a passphrase: without a keyring that opens unasked
# (--keyring-passphrase-file FILE already on the line), no name is offered.

_coffer_contact_names()
{
    local exe=$1 cur=$2 line file=""
    local i
    for ((i = 1; i < ${#words[@]}; i++)); do
        [[ ${words[i]} == --keyring-passphrase-file ]] && file=${words[i + 1]}
        [[ ${words[i]} == --keyring-passphrase-file=* ]] && file=${words[i]#*=}
    done
    local -a args=(contacts list --names-only --no-prompt)
    [[ -n $file ]] && args+=(--keyring-passphrase-file "$file")
    while IFS= read -r line; do
        [[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
    done < <("$exe" "${args[@]}" 2>/dev/null </dev/null)
}

_coffer()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    COMPREPLY=()
    local commands="keygen encrypt decrypt list inspect id contacts rekey integrate mount unmount unlock lock help version"
    if ((cword == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
        return
    fi
    local exe=${words[0]} cmd=${words[1]} opts="-h --help"
    case $cmd in
    keygen) opts+=" -o --output --name" ;;
    encrypt) opts+=" -r --recipient -R --recipients-file -p --passphrase --passphrase-file -o --output
                     --compression --force --no-sign --sign-as --follow-links --follow-all-links --format -a --armor
                     --keyring-passphrase-file" ;;
    decrypt) opts+=" -i --identity -p --passphrase --passphrase-file -o --output --only --force
                     --keyring-passphrase-file" ;;
    list) opts+=" -i --identity -p --passphrase --passphrase-file -l --long --keyring-passphrase-file" ;;
    id) opts+=" --name --identity --yes -o --output --with-contacts --paper-text --backup-passphrase-file --force
              --keyring-passphrase-file" ;;
    contacts) opts+=" --name --fingerprint --names-only --no-prompt --keyring-passphrase-file" ;;
    rekey) opts+=" -r --recipient -p --passphrase --passphrase-file --add -i --identity -o --output --force
                   --keyring-passphrase-file" ;;
    integrate) opts+=" --print-reg --print-unreg --executable" ;;
    mount) opts+=" -i --identity -p --passphrase --passphrase-file -f --foreground --keyring-passphrase-file" ;;
    unlock) opts+=" --idle-timeout --keyring-passphrase-file" ;;
    esac
    case $prev in
    -r | --recipient)
        _coffer_contact_names "$exe" "$cur"
        return
        ;;
    --compression)
        mapfile -t COMPREPLY < <(compgen -W "auto off max" -- "$cur")
        return
        ;;
    --format)
        mapfile -t COMPREPLY < <(compgen -W "coffer age" -- "$cur")
        return
        ;;
    --sign-as | --identity)
        [[ $prev == --identity && $cmd != id ]] || return
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    -o | --output | -i | -R | --recipients-file | --passphrase-file | --keyring-passphrase-file | --executable | \
        --paper-text | --backup-passphrase-file)
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        return
        ;;
    --name | --fingerprint | --only | --idle-timeout)
        return
        ;;
    esac
    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
        return
    fi
    case $cmd in
    id | contacts | integrate | help)
        if ((cword == 2)); then
            local subs=$commands
            [[ $cmd == id ]] && subs="create list show export backup import remove default passwd"
            [[ $cmd == contacts ]] && subs="add list show verify rename remove"
            [[ $cmd == integrate ]] && subs="install uninstall status"
            mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
            return
        fi
        if [[ $cmd == contacts && $cword == 3 && ${words[2]} =~ ^(show|verify|rename|remove)$ ]]; then
            _coffer_contact_names "$exe" "$cur"
            return
        fi
        [[ $cmd == id && ${words[2]} == import ]] || [[ $cmd == contacts && ${words[2]} == add ]] || return
        ;;
    inspect | keygen | version | unlock | lock) [[ $cmd == inspect ]] || return ;;
    esac
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _coffer coffer
