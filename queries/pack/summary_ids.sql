/* one row per account a summary workspace keeps: creators, flagged accounts, spike followers, and a hash sample of $sample_size per flag stratum */
with keyed as (
    select
        s.account_id,
        s.model_flagged as flagged,
        md5(cast(s.account_id as varchar) || ':' || cast($seed as varchar)) as sample_key
    from account_scores as s
),

flagged_sample as (
    select k.account_id
    from keyed as k
    where k.flagged
    order by k.sample_key
    limit $sample_size
),

other_sample as (
    select k.account_id
    from keyed as k
    where not k.flagged
    order by k.sample_key
    limit $sample_size
),

final as (
    select q.creator_id as account_id from creator_quality as q
    union
    select s.account_id from account_scores as s where s.model_flagged
    union
    select sf.account_id from spike_followers as sf
    union
    select fs.account_id from flagged_sample as fs
    union
    select os.account_id from other_sample as os
)

select * from final
