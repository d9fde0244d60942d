/* one row per label (fake, genuine): how many accounts carry it */
with final as (
    select
        lower(l.label) = 'fake' as y,
        count(*) as accounts
    from labels as l
    where lower(l.label) in ('fake', 'genuine')
    group by lower(l.label) = 'fake'
)

select * from final
order by y
