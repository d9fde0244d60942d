/* one row per score bin of width 0.05 that has accounts: bin start, bin end, accounts */
with binned as (
    select least(floor(s.score * 20), 19) as bin
    from account_scores as s
    where s.score is not null
),

final as (
    select
        b.bin / 20 as start,
        (b.bin + 1) / 20 as stop,
        count(*) as accounts
    from binned as b
    group by b.bin
    order by b.bin
)

select * from final
