from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cert_plugin', '0005_task_outbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
