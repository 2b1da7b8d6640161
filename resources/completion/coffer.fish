# fish completion for coffer: commands, options, files, and contact names.
# @MARKER@
#
# Contact names come from "coffer contacts list --names-only --no-prompt",
# which never asks for a passphrase: without a keyring that opens unasked
# (--keyring-passphrase-file FILE already on the line), no name is offered.

function __coffer_contact_names
    set -l words (commandline -opc)
    set -l args contacts list --names-only --no-prompt
    for i in (seq 2 (count $words))
        if test "$words[$i]" = --keyring-passphrase-file; and test $i -lt (count $words)
            set args $args --keyring-passphrase-file $words[(math $i + 1)]
        else if string match -q -- '--keyring-passphrase-file=*' $words[$i]
            set args $args --keyring-passphrase-file (string replace -- '--keyring-passphrase-file=' '' $words[$i])
        end
    end
    $words[1] $args 2>/dev/null </dev/null
end

function __coffer_contact_argument
    # "contacts show|verify|rename|remove NAME": the word after the action.
    set -l words (commandline -opc)
    test (count $words) -eq 3; and contains -- $words[2] contacts; and contains -- $words[3] show verify rename remove
end

set -l commands keygen encrypt decrypt list inspect id contacts rekey integrate mount unmount unlock lock help version
complete -c coffer -e
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a keygen -d 'make a key pair in a file'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a encrypt -d 'encrypt files and folders'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a decrypt -d 'extract a container'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a list -d 'list what a container holds'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a inspect -d "show a container's header"
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a id -d 'your identity in the keyring'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a contacts -d 'the people you send to'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a rekey -d 'change who can open a container'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a integrate -d 'add Coffer to the desktop and shell'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a mount -d 'show a container as a folder'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a unmount -d 'unmount a mounted container'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a unlock -d 'unlock the keyring for this session'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a lock -d 'lock the keyring again'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a help -d 'help on a command'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -f -a version -d 'the version of Coffer'
complete -c coffer -n "not __fish_seen_subcommand_from $commands" -l version -d 'the version of Coffer'
complete -c coffer -s h -l help -d 'print the help'

# Subcommands and their arguments.
complete -c coffer -n "__fish_seen_subcommand_from id; and not __fish_seen_subcommand_from create list show export backup import remove default passwd" -f -a 'create list show export backup import remove default passwd'
complete -c coffer -n "__fish_seen_subcommand_from contacts; and not __fish_seen_subcommand_from add list show verify rename remove" -f -a 'add list show verify rename remove'
complete -c coffer -n "__fish_seen_subcommand_from integrate; and not __fish_seen_subcommand_from install uninstall status" -f -a 'install uninstall status'
complete -c coffer -n "__fish_seen_subcommand_from help" -f -a "$commands"
complete -c coffer -n __coffer_contact_argument -f -a '(__coffer_contact_names)'

# Options, by command.
complete -c coffer -n "__fish_seen_subcommand_from keygen" -s o -l output -r -d 'the key file to write'
complete -c coffer -n "__fish_seen_subcommand_from keygen id contacts" -l name -x -d 'a name'
complete -c coffer -n "__fish_seen_subcommand_from backup" -s o -l output -r -d 'the backup file'
complete -c coffer -n "__fish_seen_subcommand_from backup" -l with-contacts -d 'put your contacts in the backup too'
complete -c coffer -n "__fish_seen_subcommand_from backup" -l paper-text -r -d 'write the paper key text, to print'
complete -c coffer -n "__fish_seen_subcommand_from backup import" -l backup-passphrase-file -r -d 'the backup passphrase from FILE'
complete -c coffer -n "__fish_seen_subcommand_from backup" -l force -d 'replace an existing backup file'
complete -c coffer -n "__fish_seen_subcommand_from backup" -l identity -x -d 'the identity to back up'
complete -c coffer -n "__fish_seen_subcommand_from id; and __fish_seen_subcommand_from remove" -l yes -d 'remove without asking'
complete -c coffer -n "__fish_seen_subcommand_from encrypt rekey" -s r -l recipient -x -a '(__coffer_contact_names)' -d 'a recipient: card, age key or contact'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -s R -l recipients-file -r -d 'recipients, one per line'
complete -c coffer -n "__fish_seen_subcommand_from encrypt decrypt list rekey" -s p -l passphrase -d 'ask for a passphrase'
complete -c coffer -n "__fish_seen_subcommand_from encrypt decrypt list rekey" -l passphrase-file -r -d 'the passphrase from FILE'
complete -c coffer -n "__fish_seen_subcommand_from encrypt decrypt rekey" -s o -l output -r -d 'the output'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l compression -x -a 'auto off max' -d 'zstd: auto, off or max'
complete -c coffer -n "__fish_seen_subcommand_from encrypt decrypt rekey" -l force -d 'replace the output if it exists'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l no-sign -d 'do not sign'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l sign-as -x -d 'sign as this identity (name or fingerprint)'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l follow-links -d 'follow links inside the chosen paths'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l follow-all-links -d 'follow links wherever they point'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -l format -x -a 'coffer age' -d 'coffer, or an age file'
complete -c coffer -n "__fish_seen_subcommand_from encrypt" -s a -l armor -d 'age: ASCII armor'
complete -c coffer -n "__fish_seen_subcommand_from decrypt list rekey" -s i -l identity -r -d 'an identity file'
complete -c coffer -n "__fish_seen_subcommand_from decrypt" -l only -x -d 'extract only this path'
complete -c coffer -n "__fish_seen_subcommand_from list" -s l -l long -d 'mode, size and date too'
complete -c coffer -n "__fish_seen_subcommand_from rekey" -l add -d 'keep the present recipients'
complete -c coffer -n "__fish_seen_subcommand_from contacts" -l fingerprint -x -d 'the fingerprint they read out'
complete -c coffer -n "__fish_seen_subcommand_from contacts" -l names-only -d 'list only the names'
complete -c coffer -n "__fish_seen_subcommand_from contacts" -l no-prompt -d 'never ask for the keyring passphrase'
complete -c coffer -n "__fish_seen_subcommand_from encrypt decrypt list id contacts rekey" -l keyring-passphrase-file -r -d 'the keyring passphrase from FILE'
complete -c coffer -n "__fish_seen_subcommand_from integrate" -l print-reg -d 'print the Windows registry entries'
complete -c coffer -n "__fish_seen_subcommand_from integrate" -l print-unreg -d 'print their removal'
complete -c coffer -n "__fish_seen_subcommand_from integrate" -l executable -r -d 'the executable the .reg file names'
complete -c coffer -n "__fish_seen_subcommand_from mount" -s i -l identity -r -d 'an identity file'
complete -c coffer -n "__fish_seen_subcommand_from mount" -s p -l passphrase -d 'ask for a passphrase'
complete -c coffer -n "__fish_seen_subcommand_from mount" -l passphrase-file -r -d 'the passphrase from FILE'
complete -c coffer -n "__fish_seen_subcommand_from mount" -s f -l foreground -d 'stay in the foreground'
complete -c coffer -n "__fish_seen_subcommand_from mount" -l keyring-passphrase-file -r -d 'the keyring passphrase from FILE'
complete -c coffer -n "__fish_seen_subcommand_from unlock" -l idle-timeout -x -d 'lock after SECONDS unused'
complete -c coffer -n "__fish_seen_subcommand_from unlock" -l keyring-passphrase-file -r -d 'the keyring passphrase from FILE'
