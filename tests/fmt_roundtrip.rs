//! Property tests of the formatter on random ASTs: `parse(format(ast)) == ast` in both spellings,
//! formatting is idempotent, and comments sprinkled over a formatted file are all kept, in order,
//! without changing the AST.

use accord::syntax::ast::*;
use accord::syntax::comments;
use accord::syntax::format::{format_ast, format_source, Connectives, FormatOptions};
use accord::syntax::{parse_file, FileId, Span};
use accord::value::{ArithOp, DurationUnit};
use proptest::prelude::*;
use proptest::sample::select;

fn sp() -> Span {
    Span::default()
}

fn name(text: &str) -> Name {
    Name {
        text: text.into(),
        span: sp(),
    }
}

fn var() -> impl Strategy<Value = Name> {
    // Contextual keywords are ordinary names where the grammar does not expect a keyword.
    select(vec![
        "x", "y", "s", "d", "n", "from", "until", "source", "count",
    ])
    .prop_map(name)
}

fn relation() -> impl Strategy<Value = Name> {
    select(vec![
        "p",
        "q",
        "certified",
        "MRA",
        "fewer_exams",
        "source",
        "count",
    ])
    .prop_map(name)
}

fn text_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        select(vec!["US", "MX", "NEEC", "EU_AEO", "A1"]).prop_map(|v| Literal::Text {
            value: v.into(),
            quoted: false,
            span: sp(),
        }),
        "[a-z \"\\\\\n\té∧/]{0,8}".prop_map(|v| Literal::Text {
            value: v.into(),
            quoted: true,
            span: sp(),
        }),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        text_literal(),
        "-?[0-9]{1,3}(\\.[0-9]{1,2})?".prop_map(|text| Literal::Number {
            text: text.into(),
            span: sp()
        }),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]".prop_map(|text| Literal::Date {
            text: text.into(),
            span: sp()
        }),
        any::<bool>().prop_map(|value| Literal::Bool { value, span: sp() }),
    ]
}

/// What a test row may hold: constants, variables, `_`, `today`.
fn term() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => var().prop_map(Expr::Var),
        1 => Just(Expr::Wildcard(sp())),
        4 => literal().prop_map(Expr::Literal),
        1 => Just(Expr::Today(sp())),
    ]
}

fn atom_of(args: impl Strategy<Value = Expr>) -> impl Strategy<Value = Atom> {
    (relation(), prop::collection::vec(args, 0..4)).prop_map(|(relation, args)| Atom {
        relation,
        args,
        span: sp(),
    })
}

fn subject_atom() -> impl Strategy<Value = SubjectAtom> {
    let qualifier = prop_oneof![
        Just(None),
        select(vec!["NEEC", "c", "CTPAT"]).prop_map(|q| Some(Literal::Text {
            value: q.into(),
            quoted: false,
            span: sp(),
        })),
        Just(Some(Literal::Text {
            value: "EU AEO".into(),
            quoted: true,
            span: sp(),
        })),
    ];
    (qualifier, relation()).prop_map(|(qualifier, relation)| SubjectAtom {
        qualifier,
        relation,
        span: sp(),
    })
}

/// A formula in the shape the parser produces: `And` parts are never `And`/`Or`, `Or` parts never
/// `Or`, `¬` applies to an atom or a group.
fn formula(subjects: bool) -> BoxedStrategy<Formula> {
    let expr = expr();
    let atom = atom_of(expr.clone()).prop_map(Formula::Atom);
    let compare = (
        expr.clone(),
        select(vec![
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Lt,
            CompareOp::Le,
            CompareOp::Gt,
            CompareOp::Ge,
        ]),
        expr,
    )
        .prop_map(|(lhs, op, rhs)| {
            Formula::Compare(Comparison {
                op,
                op_span: sp(),
                lhs,
                rhs,
                span: sp(),
            })
        });
    let leaf = if subjects {
        prop_oneof![3 => atom, 1 => compare, 1 => subject_atom().prop_map(Formula::Subject)].boxed()
    } else {
        prop_oneof![3 => atom, 1 => compare].boxed()
    };
    leaf.prop_recursive(3, 12, 4, |inner| {
        let simple = inner.clone().prop_filter("a premise", |f| {
            !matches!(f, Formula::And(..) | Formula::Or(..))
        });
        prop_oneof![
            prop::collection::vec(simple.clone(), 2..5).prop_map(|p| Formula::And(p, sp())),
            prop::collection::vec(
                prop_oneof![
                    simple.clone(),
                    prop::collection::vec(simple.clone(), 2..3).prop_map(|p| Formula::And(p, sp()))
                ],
                2..4
            )
            .prop_map(|p| Formula::Or(p, sp())),
            inner
                .clone()
                .prop_map(|f| Formula::Group(Box::new(f), sp())),
            simple
                .prop_filter("an atom or a group", |f| {
                    matches!(f, Formula::Atom(_) | Formula::Group(..))
                })
                .prop_map(|f| Formula::Not(Box::new(f), sp())),
        ]
    })
    .boxed()
}

fn expr() -> BoxedStrategy<Expr> {
    term()
        .prop_recursive(3, 10, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    select(vec![ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div]),
                    inner.clone()
                )
                    .prop_map(|(lhs, op, rhs)| Expr::Binary {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                        span: sp(),
                    }),
                (
                    inner.clone(),
                    any::<bool>(),
                    inner.clone(),
                    select(vec![
                        DurationUnit::Days,
                        DurationUnit::Months,
                        DurationUnit::Years
                    ])
                )
                    .prop_map(|(date, negate, amount, unit)| Expr::Shift {
                        date: Box::new(date),
                        negate,
                        amount: Box::new(amount),
                        unit,
                        span: sp(),
                    }),
                (
                    select(vec![
                        AggregateOp::Count,
                        AggregateOp::Sum,
                        AggregateOp::Min,
                        AggregateOp::Max
                    ]),
                    prop::option::of(var()),
                    atom_of(inner).prop_map(Formula::Atom),
                )
                    .prop_map(|(op, target, body)| {
                        Expr::Aggregate(Box::new(AggregateExpr {
                            op,
                            target,
                            body,
                            span: sp(),
                        }))
                    }),
            ]
        })
        .boxed()
}

fn annotation() -> impl Strategy<Value = Annotation> {
    let date = "20[0-9]{2}-0[1-9]-1[0-9]".prop_map(|text| Literal::Date {
        text: text.into(),
        span: sp(),
    });
    prop_oneof![
        "[a-zA-Z .:\"]{0,30}".prop_map(|text| Annotation::Source {
            text: text.into(),
            span: sp()
        }),
        (
            prop::option::of(date.clone()),
            prop::option::of(date),
            prop::option::of(var())
        )
            .prop_map(|(from, until, on)| Annotation::Effective {
                from,
                until,
                on,
                span: sp(),
            }),
        prop::collection::vec(select(vec!["base", "card", "mra"]).prop_map(name), 1..3)
            .prop_map(|rules| Annotation::ExceptionTo { rules, span: sp() }),
    ]
}

fn header() -> impl Strategy<Value = (Option<Name>, Vec<Annotation>)> {
    prop_oneof![
        Just((None, vec![])),
        (
            select(vec!["card", "mra_benefit", "r1"]).prop_map(name),
            prop::collection::vec(annotation(), 0..3)
        )
            .prop_map(|(n, a)| (Some(n), a)),
    ]
}

fn rule(subjects: bool) -> impl Strategy<Value = RuleDecl> {
    let head = if subjects {
        prop_oneof![
            atom_of(expr()).prop_map(Conclusion::Atom),
            subject_atom().prop_map(Conclusion::Subject)
        ]
        .boxed()
    } else {
        atom_of(expr()).prop_map(Conclusion::Atom).boxed()
    };
    (header(), formula(subjects), head).prop_map(|((name, annotations), body, head)| RuleDecl {
        name,
        annotations,
        body,
        head,
        span: sp(),
    })
}

fn plain_fact() -> impl Strategy<Value = FactDecl> {
    atom_of(term()).prop_map(|atom| FactDecl {
        name: None,
        annotations: vec![],
        atom,
        span: sp(),
    })
}

fn test_item() -> impl Strategy<Value = TestItem> {
    let rows = prop::collection::vec(prop::collection::vec(term(), 0..3), 0..3);
    prop_oneof![
        plain_fact().prop_map(TestItem::Fact),
        "[a-z/.]{1,12}".prop_map(|path| TestItem::Load { path, span: sp() }),
        atom_of(term()).prop_map(|atom| TestItem::Expect(Expectation::Holds { atom, span: sp() })),
        atom_of(term())
            .prop_map(|atom| TestItem::Expect(Expectation::HoldsNot { atom, span: sp() })),
        (formula(false), rows).prop_map(|(query, rows)| TestItem::Expect(Expectation::Answers {
            query,
            rows,
            span: sp()
        })),
    ]
}

fn column() -> impl Strategy<Value = ColumnDecl> {
    (
        select(vec!["id", "from", "date", "count"]),
        select(vec!["text", "number", "date", "bool"]),
        any::<bool>(),
    )
        .prop_map(|(n, ty, optional)| ColumnDecl {
            name: name(n),
            ty: name(ty),
            optional,
            span: sp(),
        })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        1 => "[a-z/]{1,10}\\.accord".prop_map(|path| Item::Import(Import {
            path,
            path_span: sp(),
            span: sp(),
        })),
        1 => (
            relation(),
            prop::collection::vec(column(), 0..9),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(name, columns, symmetric, open)| Item::Relation(RelationDecl {
                name,
                columns,
                symmetric,
                open,
                span: sp(),
            })),
        3 => plain_fact().prop_map(|f| Item::Fact(Box::new(f))),
        1 => (
            select(vec!["us_mx", "f1"]).prop_map(name),
            prop::collection::vec(annotation(), 0..3),
            atom_of(term())
        )
            .prop_map(|(n, annotations, atom)| Item::Fact(Box::new(FactDecl {
                name: Some(n),
                annotations,
                atom,
                span: sp(),
            }))),
        3 => rule(false).prop_map(|r| Item::Rule(Box::new(r))),
        1 => (
            select(vec!["c", "s"]).prop_map(name),
            prop::collection::vec(rule(true), 0..3)
        )
            .prop_map(|(subject, rules)| Item::Subject(SubjectBlock {
                subject,
                rules,
                span: sp(),
            })),
        1 => (
            "[a-z \"]{0,10}",
            prop::collection::vec(test_item(), 0..4)
        )
            .prop_map(|(name, items)| Item::Test(TestBlock {
                name,
                name_span: sp(),
                items,
                span: sp(),
            })),
    ]
}

fn options(ascii: bool) -> FormatOptions {
    FormatOptions {
        connectives: if ascii {
            Connectives::Ascii
        } else {
            Connectives::Unicode
        },
    }
}

/// Puts a comment at the end of some lines, and a comment line before others.
fn sprinkle(text: &str, marks: &[(usize, bool)]) -> (String, usize) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut count = 0;
    for (k, (at, own_line)) in marks.iter().enumerate() {
        if lines.is_empty() {
            break;
        }
        let i = at % lines.len();
        if *own_line {
            lines.insert(i, format!("// note {k}"));
        } else {
            lines[i].push_str(&format!(" // note {k}"));
        }
        count += 1;
    }
    (lines.join("\n") + "\n", count)
}

proptest! {
    // 256 cases by default; `PROPTEST_CASES=N` for a longer run.

    #[test]
    fn format_round_trips(items in prop::collection::vec(item(), 0..8), ascii in any::<bool>(),
                          marks in prop::collection::vec((0usize..1000, any::<bool>()), 0..6)) {
        let ast = SourceFile { items };
        let options = options(ascii);
        let text = format_ast(&ast, &options);
        let parsed = parse_file(FileId(0), &text);
        prop_assert!(parsed.is_ok(), "does not parse: {:?}\n{}", parsed.err().map(|d| d.message), text);
        prop_assert_eq!(parsed.ok(), Some(ast.clone()), "{}", text);
        let again = format_source(FileId(0), &text, &options).ok();
        prop_assert_eq!(again.as_deref(), Some(text.as_str()), "not idempotent");

        let (commented, count) = sprinkle(&text, &marks);
        prop_assert_eq!(parse_file(FileId(0), &commented).ok(), Some(ast.clone()));
        let once = format_source(FileId(0), &commented, &options);
        prop_assert!(once.is_ok());
        let once = once.unwrap_or_default();
        prop_assert_eq!(parse_file(FileId(0), &once).ok(), Some(ast), "{}", once);
        let twice = format_source(FileId(0), &once, &options).ok();
        prop_assert_eq!(twice.as_deref(), Some(once.as_str()), "not idempotent:\n{}", commented);
        let kept: Vec<String> = comments::scan(&once).into_iter().map(|c| c.text).collect();
        let all = kept.join(" ");
        for k in 0..count {
            let mark = format!("note {k}");
            prop_assert!(all.contains(&mark), "lost {}:\n{}\n=>\n{}", mark, commented, once);
        }
    }
}
