/* one row per account: production and out-of-fold scores, ground-truth label, segments */
with truth as (
    select
        l.account_id,
        max(case when l.label = 'fake' then 1 else 0 end) as truth
    from labels as l
    group by l.account_id
),

final as (
    select
        s.account_id,
        s.score,
        s.oof_score,
        t.truth,
        coalesce(a.region, 'unknown') as region,
        case
            when a.is_verified is null then 'unknown'
            when a.is_verified then 'verified'
            else 'not verified'
        end as verified,
        case
            when a.is_private is null then 'unknown'
            when a.is_private then 'private'
            else 'public'
        end as private
    from account_scores as s
    left join accounts as a on a.account_id = s.account_id
    left join truth as t on t.account_id = s.account_id
)

select * from final
order by account_id
