//! `#[derive(BotCommands)]`: every parsing feature and every error.

mod command_support;

use command_support::Env;

use xmpp_rest_bot::command::{ArgKind, BotCommands, ParseError};

#[derive(BotCommands, Debug, PartialEq)]
enum Ops {
    /// Deploy a version to an environment.
    ///
    /// This second paragraph is not part of the help.
    Deploy { env: Env, version: String },
    /// Roll back the last deploy.
    #[command(rename = "rollback", aliases = ["rb", "undo"])]
    RollBack(Env, Option<u32>),
    /// Say something.
    Say {
        #[command(rest)]
        text: String,
    },
    /// Tag hosts.
    Tag { tag: String, hosts: Vec<String> },
    /// Show the status.
    Status,
    #[command(hide)]
    Debug,
    #[command(description = "Scale a service.")]
    Scale {
        service: String,
        #[command(rename = "count")]
        replicas: u8,
    },
}

#[test]
fn parses_struct_tuple_and_unit_variants() {
    assert_eq!(
        Ops::parse("!deploy prod v1.2").unwrap(),
        Ops::Deploy {
            env: Env::Prod,
            version: "v1.2".into()
        }
    );
    assert_eq!(
        Ops::parse("!rollback staging").unwrap(),
        Ops::RollBack(Env::Staging, None)
    );
    assert_eq!(
        Ops::parse("!rollback staging 3").unwrap(),
        Ops::RollBack(Env::Staging, Some(3))
    );
    assert_eq!(Ops::parse("!status").unwrap(), Ops::Status);
    assert_eq!(Ops::parse("  !status  ").unwrap(), Ops::Status);
}

#[test]
fn default_prefixes_are_bang_and_slash() {
    assert_eq!(Ops::parse("/status").unwrap(), Ops::Status);
    assert_eq!(Ops::parse("status").unwrap_err(), ParseError::NotACommand);
    assert_eq!(Ops::parse(".status").unwrap_err(), ParseError::NotACommand);
    assert_eq!(Ops::parse("!").unwrap_err(), ParseError::NotACommand);
    assert_eq!(Ops::parse("! status").unwrap_err(), ParseError::NotACommand);
    assert!(Ops::command_set().is_command("!anything"));
    assert!(!Ops::command_set().is_command("hello !status"));
}

#[test]
fn names_are_case_insensitive_and_aliases_work() {
    assert_eq!(Ops::parse("!STATUS").unwrap(), Ops::Status);
    assert_eq!(
        Ops::parse("!Rb prod").unwrap(),
        Ops::RollBack(Env::Prod, None)
    );
    assert_eq!(
        Ops::parse("!undo prod").unwrap(),
        Ops::RollBack(Env::Prod, None)
    );
    assert_eq!(
        Ops::parse("!ROLLBACK prod").unwrap(),
        Ops::RollBack(Env::Prod, None)
    );
}

#[test]
fn quoted_arguments_keep_spaces() {
    assert_eq!(
        Ops::parse(r#"!deploy prod "v1.2 hotfix""#).unwrap(),
        Ops::Deploy {
            env: Env::Prod,
            version: "v1.2 hotfix".into()
        }
    );
    assert_eq!(
        Ops::parse("!deploy prod 'it\"s'").unwrap(),
        Ops::Deploy {
            env: Env::Prod,
            version: "it\"s".into()
        }
    );
    assert_eq!(
        Ops::parse(r#"!deploy prod "unterminated"#).unwrap_err(),
        ParseError::UnterminatedQuote {
            after: "!deploy prod".into(),
            position: 13
        }
    );
    assert_eq!(
        Ops::parse(r#"!deploy "prod v1"#).unwrap_err().to_string(),
        "unclosed quote after `!deploy`: close it, or escape it with a backslash"
    );
}

#[test]
fn rest_takes_the_line_verbatim_and_many_takes_the_remaining_arguments() {
    assert_eq!(
        Ops::parse("!say  hello   \"world\"  ").unwrap(),
        Ops::Say {
            text: "hello   \"world\"".into()
        }
    );
    assert_eq!(
        Ops::parse("!tag web a b 'c d'").unwrap(),
        Ops::Tag {
            tag: "web".into(),
            hosts: vec!["a".into(), "b".into(), "c d".into()]
        }
    );
    assert_eq!(
        Ops::parse("!tag web").unwrap(),
        Ops::Tag {
            tag: "web".into(),
            hosts: vec![]
        }
    );
}

#[test]
fn errors_name_the_command_and_argument() {
    let err = Ops::parse("!deploy prod").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deploy: missing argument <version> (usage: !deploy <env> <version>)"
    );
    let err = Ops::parse("!deploy prod v1 extra").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deploy: unexpected argument \"extra\" (usage: !deploy <env> <version>)"
    );
    let err = Ops::parse("!deploy qa v1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deploy: invalid <env> \"qa\": expected staging or prod, not \"qa\" \
         (usage: !deploy <env> <version>)"
    );
    let err = Ops::parse("!scale web many").unwrap_err();
    assert_eq!(
        err,
        ParseError::InvalidArgument {
            command: "scale".into(),
            argument: "count".into(),
            value: "many".into(),
            reason: "invalid digit found in string".into(),
            usage: "!scale <service> <count>".into(),
        }
    );
    let err = Ops::parse("!rollback prod -1").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("rollback: invalid <arg2> \"-1\""),
        "{err}"
    );
    let err = Ops::parse("!say").unwrap_err();
    assert!(matches!(err, ParseError::MissingArgument { ref argument, .. } if argument == "text"));
}

#[test]
fn unknown_commands_get_a_suggestion_when_close() {
    assert_eq!(
        Ops::parse("!deplyo prod v1").unwrap_err(),
        ParseError::UnknownCommand {
            name: "deplyo".into(),
            suggestion: Some("!deploy".into())
        }
    );
    assert_eq!(
        Ops::parse("!stauts").unwrap_err().to_string(),
        "unknown command \"stauts\": did you mean \"!status\"?"
    );
    assert_eq!(
        Ops::parse("!frobnicate").unwrap_err(),
        ParseError::UnknownCommand {
            name: "frobnicate".into(),
            suggestion: None
        }
    );
    // Hidden commands are never suggested...
    assert!(matches!(
        Ops::parse("!debgu").unwrap_err(),
        ParseError::UnknownCommand {
            suggestion: None,
            ..
        }
    ));
    // ...but they parse.
    assert_eq!(Ops::parse("!debug").unwrap(), Ops::Debug);
}

#[test]
fn help_lists_visible_commands_with_usage_and_doc_comment() {
    let expected = "\
!deploy <env> <version> — Deploy a version to an environment.
!rollback <arg1> [arg2] — Roll back the last deploy. (also !rb, !undo)
!say <text...> — Say something.
!tag <tag> [hosts...] — Tag hosts.
!status — Show the status.
!scale <service> <count> — Scale a service.";
    assert_eq!(Ops::help(), expected);
}

#[test]
fn command_list_describes_arguments() {
    let cmds = Ops::commands();
    assert_eq!(cmds.len(), 7);
    let deploy = &cmds[0];
    assert_eq!(deploy.name, "deploy");
    assert_eq!(deploy.args[0].name, "env");
    assert_eq!(deploy.args[0].type_name, "Env");
    assert_eq!(deploy.args[0].kind, ArgKind::Required);
    assert_eq!(cmds[1].args[1].kind, ArgKind::Optional);
    assert_eq!(cmds[1].args[1].type_name, "Option<u32>");
    assert_eq!(cmds[2].args[0].kind, ArgKind::Rest);
    assert_eq!(cmds[3].args[1].kind, ArgKind::Many);
    assert!(cmds[5].hidden);
}

#[derive(BotCommands, Debug, PartialEq)]
#[command(prefix = ".", case_sensitive)]
enum Strict {
    Go,
    #[command(rename = "Stop")]
    Stop,
}

#[test]
fn custom_prefix_and_case_sensitivity() {
    assert_eq!(Strict::parse(".go").unwrap(), Strict::Go);
    assert_eq!(Strict::parse("!go").unwrap_err(), ParseError::NotACommand);
    assert!(matches!(
        Strict::parse(".GO").unwrap_err(),
        ParseError::UnknownCommand { .. }
    ));
    assert_eq!(Strict::parse(".Stop").unwrap(), Strict::Stop);
    assert_eq!(Strict::help(), ".go\n.Stop");
}

#[derive(BotCommands, Debug, PartialEq)]
#[command(prefixes = ["!", "bot:"])]
enum Multi {
    Ping,
}

#[test]
fn several_prefixes() {
    assert_eq!(Multi::parse("bot:ping").unwrap(), Multi::Ping);
    assert_eq!(Multi::parse("!ping").unwrap(), Multi::Ping);
}

mod no_imports {
    // The generated code must not depend on what the user imported.
    #[derive(xmpp_rest_bot::command::BotCommands)]
    pub(super) enum NoImports {
        /// Only one.
        One(u8),
    }
}

#[test]
fn generated_code_needs_no_imports() {
    use xmpp_rest_bot::command::BotCommands as _;
    assert!(matches!(
        no_imports::NoImports::parse("!one 7"),
        Ok(no_imports::NoImports::One(7))
    ));
}
